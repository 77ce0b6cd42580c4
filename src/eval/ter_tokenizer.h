// sacreBLEU's TercomTokenizer (tokenizers/tokenizer_ter.py, a port of tercom's
// Normalizer.java), over code points. Steps, each optional but the last:
//   lowercase (str.lower()) unless case_sensitive;
//   normalized: tercom's western normalisation (entities, punctuation split off, "'s",
//     period/comma unless next to a digit, dash after a digit) and, with asian_support,
//     CJK ideographs and CJK/full-width punctuation split into single characters;
//   no_punct: removes . , ? : ; ! " ( ) and, with asian_support, CJK and full-width
//     punctuation (even when not normalized);
//   ' '.join(s.split()).
#pragma once

#include <string>
#include <string_view>

namespace deepnet::eval {

struct TerOptions {
    bool case_sensitive = false;  // sacreBLEU --ter-case-sensitive
    bool normalized = false;      // --ter-normalized
    bool no_punct = false;        // --ter-no-punct
    bool asian_support = false;   // --ter-asian-support
};

std::u32string ter_tokenize(std::u32string_view sent, const TerOptions& opts);

// UTF-8 convenience wrapper; invalid UTF-8 is a UserError.
std::string ter_tokenize(const std::string& sent, const TerOptions& opts);

}  // namespace deepnet::eval
