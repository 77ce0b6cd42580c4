// sacreBLEU's tokenizers (tokenizer_none/13a/re/intl/char.py) over code points, built from
// the re.sub passes in text_passes.h, run in sacreBLEU's order, each on the previous output.
#include "src/eval/tokenizers.h"

#include "src/core/error.h"
#include "src/eval/text_passes.h"
#include "src/eval/unicode_text.h"

namespace deepnet::eval {

namespace {

// tokenizer_re.TokenizerRegexp: the language-dependent half of 13a.
std::u32string tokenize_regexp(std::u32string_view line) {
    const auto not_digit = [](char32_t c) { return !is_ascii_digit(c); };
    const auto period_comma = [](char32_t c) { return c == U'.' || c == U','; };
    const auto dash = [](char32_t c) { return c == U'-'; };
    std::u32string s = pad_each(line, is_13a_split_char);
    // Period and comma split off unless preceded by a digit ...
    s = sub_pair(s, not_digit, period_comma, U"", U" ", U" ");
    // ... and unless followed by a digit: "3.14" and "1,000" stay whole.
    s = sub_pair(s, period_comma, not_digit, U" ", U" ", U"");
    // A dash splits off only after a digit: "5-3" but not "well-known".
    s = sub_pair(s, is_ascii_digit, dash, U"", U" ", U" ");
    return join_split(s);
}

std::u32string tokenize_13a(std::u32string_view line) {
    std::u32string s = replace_all(line, U"<skipped>", U"");
    s = replace_all(s, U"-\n", U"");
    s = replace_all(s, U"\n", U" ");
    // Sequential, as in sacreBLEU: "&amp;quot;" becomes "&quot;" (the &quot; pass has
    // already run) while "&amp;lt;" becomes "<".
    if (s.find(U'&') != std::u32string::npos) {
        s = replace_all(s, U"&quot;", U"\"");
        s = replace_all(s, U"&amp;", U"&");
        s = replace_all(s, U"&lt;", U"<");
        s = replace_all(s, U"&gt;", U">");
    }
    // The padding lets a sentence-final period split off (mteval-v13a does the same).
    return tokenize_regexp(U" " + s + U" ");
}

// mteval-v14 international: punctuation splits off unless it sits between numbers;
// a number followed by a final period keeps the period (as mteval-v14.pl does).
std::u32string tokenize_intl(std::u32string_view line) {
    const auto not_number = [](char32_t c) { return !is_number(c); };
    std::u32string s = sub_pair(line, not_number, is_punct, U"", U" ", U" ");
    s = sub_pair(s, is_punct, not_number, U" ", U" ", U"");
    s = pad_each(s, is_symbol);
    return join_split(s);
}

// " ".join(line): every code point (whitespace included) joined by one space.
std::u32string tokenize_char(std::u32string_view line) {
    std::u32string out;
    out.reserve(line.size() * 2);
    for (std::size_t i = 0; i < line.size(); ++i) {
        if (i > 0) out.push_back(U' ');
        out.push_back(line[i]);
    }
    return out;
}

}  // namespace

Tokenizer parse_tokenizer(const std::string& name) {
    if (name == "none") return Tokenizer::None;
    if (name == "13a") return Tokenizer::V13a;
    if (name == "intl") return Tokenizer::Intl;
    if (name == "char") return Tokenizer::Char;
    DEEPNET_USER_CHECK(false, "unknown BLEU tokenizer '" << name
                                                         << "' (expected none, 13a, intl or char)");
    return Tokenizer::V13a;
}

std::string tokenizer_signature(Tokenizer tok) {
    switch (tok) {
        case Tokenizer::None: return "none";
        case Tokenizer::V13a: return "13a";
        case Tokenizer::Intl: return "intl";
        case Tokenizer::Char: return "char";
    }
    DEEPNET_CHECK(false, "unhandled tokenizer " << static_cast<int>(tok));
    return "";
}

std::u32string tokenize(std::u32string_view line, Tokenizer tok) {
    switch (tok) {
        case Tokenizer::None: return std::u32string(line);
        case Tokenizer::V13a: return tokenize_13a(line);
        case Tokenizer::Intl: return tokenize_intl(line);
        case Tokenizer::Char: return tokenize_char(line);
    }
    DEEPNET_CHECK(false, "unhandled tokenizer " << static_cast<int>(tok));
    return {};
}

std::string tokenize(const std::string& line, Tokenizer tok) {
    return encode_utf8(tokenize(decode_utf8_checked(line, "tokenizer input"), tok));
}

}  // namespace deepnet::eval
