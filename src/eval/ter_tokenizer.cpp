// TercomTokenizer as sacreBLEU 2.x has it (tokenizer_ter.py); regexes are Python `re`, so
// [0-9] is ASCII only and the character classes are the literal code point ranges.
#include "src/eval/ter_tokenizer.h"

#include "src/eval/text_passes.h"
#include "src/eval/unicode_text.h"

namespace deepnet::eval {

namespace {

bool in(char32_t c, char32_t lo, char32_t hi) { return c >= lo && c <= hi; }

// ASIAN_PUNCT: [\u3001\u3002\u3008-\u3011\u3014-\u301f\uff61-\uff65\u30fb]
bool is_asian_punct(char32_t c) {
    return c == 0x3001 || c == 0x3002 || in(c, 0x3008, 0x3011) || in(c, 0x3014, 0x301F) ||
           in(c, 0xFF61, 0xFF65) || c == 0x30FB;
}

// FULL_WIDTH_PUNCT: [\uff0e\uff0c\uff1f\uff1a\uff1b\uff01\uff02\uff08\uff09]
bool is_full_width_punct(char32_t c) {
    return c == 0xFF0E || c == 0xFF0C || c == 0xFF1F || c == 0xFF1A || c == 0xFF1B ||
           c == 0xFF01 || c == 0xFF02 || c == 0xFF08 || c == 0xFF09;
}

// _normalize_general_and_western
std::u32string normalize_western(std::u32string_view in_sent) {
    std::u32string s = replace_all(in_sent, U"\n-", U"");
    s = replace_all(s, U"\n", U" ");
    s = replace_all(s, U"&quot;", U"\"");
    s = replace_all(s, U"&amp;", U"&");
    s = replace_all(s, U"&lt;", U"<");
    s = replace_all(s, U"&gt;", U">");
    s = U" " + s + U" ";
    s = pad_each(s, is_13a_split_char);
    // Possessives. The second pass, re.sub(r"'s$", " 's"), never matches: the string
    // ends with the padding space added above.
    s = replace_all(s, U"'s ", U" 's ");
    const auto not_digit = [](char32_t c) { return !is_ascii_digit(c); };
    const auto period_comma = [](char32_t c) { return c == U'.' || c == U','; };
    const auto dash = [](char32_t c) { return c == U'-'; };
    s = sub_pair(s, not_digit, period_comma, U"", U" ", U" ");
    s = sub_pair(s, period_comma, not_digit, U" ", U" ", U"");
    s = sub_pair(s, is_ascii_digit, dash, U"", U" ", U" ");
    return s;
}

// _normalize_asian. Its three kana passes, "(^|^[kana])([kana]+)(?=$|^[kana])", can only
// match a string made of kana alone from its first character, and the string here always
// starts with the space normalize_western adds, so they never change it (sacreBLEU's own
// test keeps "りの" together) and are left out.
std::u32string normalize_asian(std::u32string_view in_sent) {
    std::u32string s = pad_each(in_sent, [](char32_t c) {
        return in(c, 0x4E00, 0x9FFF) || in(c, 0x3400, 0x4DBF);
    });
    s = pad_each(s, [](char32_t c) { return in(c, 0x31C0, 0x31EF) || in(c, 0x2E80, 0x2EFF); });
    s = pad_each(s, [](char32_t c) {
        return in(c, 0x3300, 0x33FF) || in(c, 0xF900, 0xFAFF) || in(c, 0xFE30, 0xFE4F);
    });
    s = pad_each(s, [](char32_t c) { return in(c, 0x3200, 0x3F22); });
    s = pad_each(s, is_asian_punct);
    s = pad_each(s, is_full_width_punct);
    return s;
}

bool is_tercom_punct(char32_t c) {  // [\.,\?:;!\"\(\)]
    return c == U'.' || c == U',' || c == U'?' || c == U':' || c == U';' || c == U'!' ||
           c == U'"' || c == U'(' || c == U')';
}

}  // namespace

std::u32string ter_tokenize(std::u32string_view sent, const TerOptions& opts) {
    if (sent.empty()) return {};
    std::u32string s = opts.case_sensitive ? std::u32string(sent) : py_lower(sent);
    if (opts.normalized) {
        s = normalize_western(s);
        if (opts.asian_support) s = normalize_asian(s);
    }
    if (opts.no_punct) {
        s = remove_each(s, is_tercom_punct);
        if (opts.asian_support) {
            s = remove_each(s, is_asian_punct);
            s = remove_each(s, is_full_width_punct);
        }
    }
    return join_split(s);
}

std::string ter_tokenize(const std::string& sent, const TerOptions& opts) {
    return encode_utf8(ter_tokenize(decode_utf8_checked(sent, "TER tokenizer input"), opts));
}

}  // namespace deepnet::eval
