// Python-compatible string primitives over Unicode code points: strict UTF-8 decoding,
// str.isspace/split/rstrip/lower and the general-category tests the intl tokenizer uses.
// sacreBLEU works on Python str values, so every metric here works on std::u32string and
// reproduces Python's definitions (from generated tables, see unicode_tables.h), not the
// C locale's.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace deepnet::eval {

// Strict UTF-8 (as Python's "utf-8" codec): rejects overlong forms, surrogates, code
// points above U+10FFFF and truncated sequences. Returns false and leaves `out` partial.
bool decode_utf8(std::string_view in, std::u32string& out);

// decode_utf8 or a UserError "invalid UTF-8 in <where>" (where names stream and line).
std::u32string decode_utf8_checked(std::string_view in, const std::string& where);

std::string encode_utf8(std::u32string_view in);

bool is_py_space(char32_t c);  // Python str.isspace()
bool is_punct(char32_t c);     // general category P*
bool is_symbol(char32_t c);    // general category S*
bool is_number(char32_t c);    // general category N*

// Python str.lower(): full lower-case mapping, including U+0130 -> "i\u0307" and the
// Final_Sigma rule for U+03A3.
std::u32string py_lower(std::u32string_view s);

// Python str.rstrip() with no argument.
std::u32string_view py_rstrip(std::u32string_view s);

// Python str.split() with no argument: runs of whitespace separate, none are empty.
std::vector<std::u32string_view> py_split(std::u32string_view s);

// Python ''.join(s.split()): every whitespace character removed.
std::u32string remove_whitespace(std::u32string_view s);

}  // namespace deepnet::eval
