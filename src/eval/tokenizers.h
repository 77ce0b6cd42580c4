// sacreBLEU's BLEU tokenizers, reimplemented over code points: "none", "13a" (mteval-v13a,
// the default), "intl" (mteval-v14 international) and "char". Each returns the tokenized
// line as one string whose tokens are separated by single spaces ("char" keeps sacreBLEU's
// " ".join(line), so whitespace input yields runs of spaces); BLEU then splits it with
// Python's str.split().
#pragma once

#include <string>
#include <string_view>

namespace deepnet::eval {

enum class Tokenizer { None, V13a, Intl, Char };

// "none", "13a", "intl", "char" (sacreBLEU's names); anything else is a UserError.
Tokenizer parse_tokenizer(const std::string& name);

// The name in the signature, e.g. "13a".
std::string tokenizer_signature(Tokenizer tok);

std::u32string tokenize(std::u32string_view line, Tokenizer tok);

// UTF-8 convenience wrapper; invalid UTF-8 is a UserError.
std::string tokenize(const std::string& line, Tokenizer tok);

}  // namespace deepnet::eval
