// Python-compatible string primitives over code points (see unicode_text.h).
#include "src/eval/unicode_text.h"

#include <algorithm>

#include "src/core/error.h"
#include "src/eval/unicode_tables.h"

namespace deepnet::eval {

namespace ut = unicode_tables;

namespace {

bool in_ranges(const ut::Range* table, std::size_t size, char32_t c) {
    const ut::Range* end = table + size;
    const ut::Range* it =
        std::upper_bound(table, end, c, [](char32_t v, const ut::Range& r) { return v < r.lo; });
    return it != table && c <= (it - 1)->hi;
}

bool is_continuation(unsigned char b) { return (b & 0xC0) == 0x80; }

// Length of the sequence starting with lead byte b and the bounds its second byte must
// fall in (which is how overlong forms, surrogates and > U+10FFFF are excluded).
int sequence_shape(unsigned char b, unsigned char& lo2, unsigned char& hi2) {
    lo2 = 0x80;
    hi2 = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) return 2;
    if (b == 0xE0) { lo2 = 0xA0; return 3; }
    if (b == 0xED) { hi2 = 0x9F; return 3; }
    if (b >= 0xE1 && b <= 0xEF) return 3;
    if (b == 0xF0) { lo2 = 0x90; return 4; }
    if (b == 0xF4) { hi2 = 0x8F; return 4; }
    if (b >= 0xF1 && b <= 0xF3) return 4;
    return 0;
}

// 0: other, 1: case-ignorable, 2: cased.
int case_class(char32_t c) {
    const ut::CaseClassRange* begin = ut::kCaseClass;
    const ut::CaseClassRange* end = begin + ut::kCaseClassSize;
    const ut::CaseClassRange* it = std::upper_bound(
        begin, end, c, [](char32_t v, const ut::CaseClassRange& r) { return v < r.lo; });
    if (it == begin || c > (it - 1)->hi) return 0;
    return (it - 1)->cls;
}

// CPython's handle_capital_sigma: U+03A3 becomes final sigma when a cased letter precedes
// it and none follows (case-ignorable characters skipped on both sides).
char32_t lower_capital_sigma(std::u32string_view s, std::size_t i) {
    std::size_t j = i;
    int cls = 0;
    while (j > 0) {
        cls = case_class(s[--j]);
        if (cls != 1) break;
    }
    bool final_sigma = i > 0 && cls == 2;
    if (final_sigma) {
        for (j = i + 1; j < s.size(); ++j) {
            cls = case_class(s[j]);
            if (cls != 1) break;
        }
        final_sigma = j == s.size() || cls != 2;
    }
    return final_sigma ? U'\u03C2' : U'\u03C3';
}

void append_lower(char32_t c, std::u32string& out) {
    const ut::LowerRun* begin = ut::kLower;
    const ut::LowerRun* end = begin + ut::kLowerSize;
    const ut::LowerRun* it = std::upper_bound(
        begin, end, c, [](char32_t v, const ut::LowerRun& r) { return v < r.lo; });
    if (it != begin) {
        const ut::LowerRun& r = *(it - 1);
        if (c <= r.hi && (c - r.lo) % static_cast<char32_t>(r.step) == 0) {
            out.push_back(static_cast<char32_t>(static_cast<int64_t>(c) + r.delta));
            return;
        }
    }
    for (std::size_t k = 0; k < ut::kLowerMultiSize; ++k) {
        if (ut::kLowerMulti[k].cp != c) continue;
        for (char32_t m : ut::kLowerMulti[k].to)
            if (m != 0) out.push_back(m);
        return;
    }
    out.push_back(c);
}

}  // namespace

bool decode_utf8(std::string_view in, std::u32string& out) {
    out.clear();
    out.reserve(in.size());
    std::size_t i = 0;
    while (i < in.size()) {
        const auto b = static_cast<unsigned char>(in[i]);
        if (b < 0x80) {
            out.push_back(b);
            ++i;
            continue;
        }
        unsigned char lo2 = 0, hi2 = 0;
        const int len = sequence_shape(b, lo2, hi2);
        if (len == 0 || i + static_cast<std::size_t>(len) > in.size()) return false;
        const auto b2 = static_cast<unsigned char>(in[i + 1]);
        if (b2 < lo2 || b2 > hi2) return false;
        char32_t c = b & (0xFF >> (len + 1));
        for (int k = 1; k < len; ++k) {
            const auto bk = static_cast<unsigned char>(in[i + k]);
            if (!is_continuation(bk)) return false;
            c = (c << 6) | (bk & 0x3F);
        }
        out.push_back(c);
        i += static_cast<std::size_t>(len);
    }
    return true;
}

std::u32string decode_utf8_checked(std::string_view in, const std::string& where) {
    std::u32string out;
    DEEPNET_USER_CHECK(decode_utf8(in, out), "invalid UTF-8 in " << where);
    return out;
}

std::string encode_utf8(std::u32string_view in) {
    std::string out;
    out.reserve(in.size());
    for (char32_t c : in) {
        if (c < 0x80) {
            out.push_back(static_cast<char>(c));
        } else if (c < 0x800) {
            out.push_back(static_cast<char>(0xC0 | (c >> 6)));
            out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
        } else if (c < 0x10000) {
            out.push_back(static_cast<char>(0xE0 | (c >> 12)));
            out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
        } else {
            out.push_back(static_cast<char>(0xF0 | (c >> 18)));
            out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
        }
    }
    return out;
}

bool is_py_space(char32_t c) {
    if (c < 0x80) return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
    return in_ranges(ut::kSpace, ut::kSpaceSize, c);
}
bool is_punct(char32_t c) { return in_ranges(ut::kPunct, ut::kPunctSize, c); }
bool is_symbol(char32_t c) { return in_ranges(ut::kSymbol, ut::kSymbolSize, c); }
bool is_number(char32_t c) { return in_ranges(ut::kNumber, ut::kNumberSize, c); }

std::u32string py_lower(std::u32string_view s) {
    std::u32string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == U'\u03A3')
            out.push_back(lower_capital_sigma(s, i));
        else if (s[i] < 0x80)
            out.push_back(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
        else
            append_lower(s[i], out);
    }
    return out;
}

std::u32string_view py_rstrip(std::u32string_view s) {
    std::size_t n = s.size();
    while (n > 0 && is_py_space(s[n - 1])) --n;
    return s.substr(0, n);
}

std::vector<std::u32string_view> py_split(std::u32string_view s) {
    std::vector<std::u32string_view> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && is_py_space(s[i])) ++i;
        const std::size_t start = i;
        while (i < s.size() && !is_py_space(s[i])) ++i;
        if (i > start) out.push_back(s.substr(start, i - start));
    }
    return out;
}

std::u32string remove_whitespace(std::u32string_view s) {
    std::u32string out;
    out.reserve(s.size());
    for (char32_t c : s)
        if (!is_py_space(c)) out.push_back(c);
    return out;
}

}  // namespace deepnet::eval
