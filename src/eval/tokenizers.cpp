// sacreBLEU's tokenizers (tokenizer_none/13a/re/intl/char.py) over code points.
//
// Every regex sacreBLEU applies here has the form "(A)(B)" or "(A)" with one-character
// classes, so re.sub's leftmost, non-overlapping scan is a single left-to-right pass:
// at position i, if s[i] in A and s[i+1] in B, emit the replacement and skip both,
// otherwise copy s[i]. The passes run in sacreBLEU's order, each on the previous output.
#include "src/eval/tokenizers.h"

#include "src/core/error.h"
#include "src/eval/unicode_text.h"

namespace deepnet::eval {

namespace {

// Python str.replace(from, to): all non-overlapping occurrences, left to right.
std::u32string replace_all(std::u32string_view s, std::u32string_view from,
                           std::u32string_view to) {
    std::u32string out;
    out.reserve(s.size());
    std::size_t i = 0;
    while (true) {
        const std::size_t hit = s.find(from, i);
        if (hit == std::u32string_view::npos) break;
        out.append(s.substr(i, hit - i));
        out.append(to);
        i = hit + from.size();
    }
    out.append(s.substr(i));
    return out;
}

// re.sub(r'(A)(B)', r'<pre>\1<mid>\2<post>', s) for one-character classes A and B.
template <class A, class B>
std::u32string sub_pair(std::u32string_view s, A in_a, B in_b, std::u32string_view pre,
                        std::u32string_view mid, std::u32string_view post) {
    std::u32string out;
    out.reserve(s.size() * 2);
    std::size_t i = 0;
    while (i < s.size()) {
        if (i + 1 < s.size() && in_a(s[i]) && in_b(s[i + 1])) {
            out.append(pre);
            out.push_back(s[i]);
            out.append(mid);
            out.push_back(s[i + 1]);
            out.append(post);
            i += 2;
        } else {
            out.push_back(s[i]);
            ++i;
        }
    }
    return out;
}

// re.sub(r'(A)', r' \1 ', s).
template <class A>
std::u32string pad_each(std::u32string_view s, A in_a) {
    std::u32string out;
    out.reserve(s.size() * 2);
    for (char32_t c : s) {
        if (in_a(c)) {
            out.push_back(U' ');
            out.push_back(c);
            out.push_back(U' ');
        } else {
            out.push_back(c);
        }
    }
    return out;
}

// ' '.join(s.split())
std::u32string join_split(std::u32string_view s) {
    std::u32string out;
    for (std::u32string_view tok : py_split(s)) {
        if (!out.empty()) out.push_back(U' ');
        out.append(tok);
    }
    return out;
}

bool is_ascii_digit(char32_t c) { return c >= U'0' && c <= U'9'; }

// [\{-\~\[-\` -\&\(-\+\:-\@\/]: the ASCII punctuation and symbols mteval-v13a splits off
// everywhere; apostrophe, comma, hyphen and period are handled by the later passes.
bool is_13a_split_char(char32_t c) {
    return (c >= 0x7B && c <= 0x7E) || (c >= 0x5B && c <= 0x60) || (c >= 0x20 && c <= 0x26) ||
           (c >= 0x28 && c <= 0x2B) || (c >= 0x3A && c <= 0x40) || c == 0x2F;
}

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
