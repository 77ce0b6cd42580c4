// Declarations of the generated Unicode tables in src/eval/unicode_tables.cpp, written by
// scripts/gen_unicode_tables.py from Python's unicodedata and str methods. They let the
// metrics reproduce Python string semantics (sacreBLEU's) without ICU.
#pragma once

#include <cstddef>
#include <cstdint>

namespace deepnet::eval::unicode_tables {

// Inclusive code point range [lo, hi], sorted and disjoint within a table.
struct Range {
    char32_t lo;
    char32_t hi;
};

// Code points lo, lo + step, ..., hi each lower-case to themselves + delta.
struct LowerRun {
    char32_t lo;
    char32_t hi;
    int32_t delta;
    int32_t step;
};

// A code point whose str.lower() is several code points (zero-padded).
struct LowerMulti {
    char32_t cp;
    char32_t to[3];
};

// cls 1: Case_Ignorable; cls 2: Cased and not Case_Ignorable (CPython's Final_Sigma view).
struct CaseClassRange {
    char32_t lo;
    char32_t hi;
    int32_t cls;
};

extern const char* const kUnicodeVersion;
extern const Range kPunct[];  // general category P*
extern const std::size_t kPunctSize;
extern const Range kSymbol[];  // general category S*
extern const std::size_t kSymbolSize;
extern const Range kNumber[];  // general category N*
extern const std::size_t kNumberSize;
extern const Range kSpace[];  // Python str.isspace()
extern const std::size_t kSpaceSize;
extern const LowerRun kLower[];
extern const std::size_t kLowerSize;
extern const LowerMulti kLowerMulti[];
extern const std::size_t kLowerMultiSize;
extern const CaseClassRange kCaseClass[];
extern const std::size_t kCaseClassSize;

}  // namespace deepnet::eval::unicode_tables
