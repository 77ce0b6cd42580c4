// Tests for sacreBLEU-compatible tokenizers and the Python string primitives under them.
// sacreBLEU ships no tokenizer unit tests for 13a/intl/char; the expectations below are
// worked by hand from its regexes (tokenizer_13a.py, tokenizer_re.py, tokenizer_intl.py,
// tokenizer_char.py), each derivation in a comment.
#include <catch2/catch.hpp>

#include "src/core/error.h"
#include "src/eval/tokenizers.h"
#include "src/eval/unicode_text.h"

using namespace deepnet::eval;

namespace {
std::string tok13a(const std::string& s) { return tokenize(s, Tokenizer::V13a); }
std::string intl(const std::string& s) { return tokenize(s, Tokenizer::Intl); }
std::string lower(const std::string& s) {
    return encode_utf8(py_lower(decode_utf8_checked(s, "test")));
}
}  // namespace

TEST_CASE("13a splits ASCII punctuation and symbols", "[eval]") {
    CHECK(tok13a("Hello, world!") == "Hello , world !");
    // Apostrophes are not in 13a's split set: "wasn't" stays one token.
    CHECK(tok13a("It wasn't surprising.") == "It wasn't surprising .");
    CHECK(tok13a("(a) [b] {c} \"d\" a/b x=y 100$ 5%") ==
          "( a ) [ b ] { c } \" d \" a / b x = y 100 $ 5 %");
    CHECK(tok13a("  many   spaces\there ") == "many spaces here");
}

TEST_CASE("13a periods and commas next to digits", "[eval]") {
    // Kept when a digit is on either side: decimal and thousands separators.
    CHECK(tok13a("It costs 3.14 or 1,000 dollars.") == "It costs 3.14 or 1,000 dollars .");
    // The " line " padding lets a final period after a number split off.
    CHECK(tok13a("ends in 1990.") == "ends in 1990 .");
    // "1.a": no split before '.', but '.' followed by a non-digit splits: "1 . a".
    // "x,1": ',' preceded by a non-digit splits: "x , 1".
    CHECK(tok13a("a.b,c 1.a x,1") == "a . b , c 1 . a x , 1");
    CHECK(tok13a("5.5%") == "5.5 %");
}

TEST_CASE("13a dashes split only after a digit", "[eval]") {
    CHECK(tok13a("well-known") == "well-known");
    CHECK(tok13a("5-3") == "5 - 3");
    // "10-20": digit then '-' splits; "-b" has no digit before it and stays.
    CHECK(tok13a("pages 10-20 and a -b") == "pages 10 - 20 and a -b");
    // "2--3": the first '-' follows a digit; the second follows '-', so "-3" stays.
    CHECK(tok13a("2--3") == "2 - -3");
}

TEST_CASE("13a entities, <skipped> and line breaks", "[eval]") {
    CHECK(tok13a("&quot;Hi&quot; &amp; bye &lt;3 &gt;") == "\" Hi \" & bye < 3 >");
    // Replacements run in sequence: &quot; first, so "&amp;quot;" ends as "&quot;", which
    // then splits into "& quot ;"; &lt; runs after &amp;, so "&amp;lt;" ends as "<".
    CHECK(tok13a("&amp;quot;") == "& quot ;");
    CHECK(tok13a("&amp;lt;") == "<");
    CHECK(tok13a("a<skipped>b") == "ab");
    CHECK(tok13a("hyphen-\nated two\nlines") == "hyphenated two lines");
    // Non-ASCII punctuation is left alone by 13a.
    CHECK(tok13a("\xC2\xAB" "Hallo" "\xC2\xBB") == "\xC2\xAB" "Hallo" "\xC2\xBB");
}

TEST_CASE("intl splits Unicode punctuation and symbols", "[eval]") {
    CHECK(intl("Hello, world!") == "Hello , world !");
    // U+201E and U+201C are Ps/Pi punctuation: split off like ASCII quotes.
    CHECK(intl("Er sagte: \xE2\x80\x9EHallo\xE2\x80\x9C.") ==
          "Er sagte : \xE2\x80\x9E Hallo \xE2\x80\x9C .");
    // Fullwidth comma U+FF0C and ideographic full stop U+3002.
    CHECK(intl("\xE4\xBD\xA0\xE5\xA5\xBD\xEF\xBC\x8C\xE4\xB8\x96\xE7\x95\x8C\xE3\x80\x82") ==
          "\xE4\xBD\xA0\xE5\xA5\xBD \xEF\xBC\x8C \xE4\xB8\x96\xE7\x95\x8C \xE3\x80\x82");
    // '¿' is followed by a non-number: " ¿ Qué".
    CHECK(intl("\xC2\xBFQu\xC3\xA9?") == "\xC2\xBF Qu\xC3\xA9 ?");
    // Symbols (Sc '$', Sm '+', Sc '€') always split.
    CHECK(intl("$5 + 3\xE2\x82\xAC") == "$ 5 + 3 \xE2\x82\xAC");
}

TEST_CASE("intl keeps punctuation between or after numbers", "[eval]") {
    CHECK(intl("3.14 1,000") == "3.14 1,000");
    // No padding in intl: a number's final period stays (the mteval-v14 quirk).
    CHECK(intl("ends in 1990.") == "ends in 1990.");
    // '%' is Po, not a symbol, and follows a number.
    CHECK(intl("5.5%") == "5.5%");
    // Arabic-Indic digits are numbers (Nd) too: U+0663 '.' U+0664 stays whole.
    CHECK(intl("\xD9\xA3.\xD9\xA4") == "\xD9\xA3.\xD9\xA4");
    // "2--3": pass 1 splits the second '-', pass 2 the first: "2 - - 3" (13a differs).
    CHECK(intl("2--3") == "2 - - 3");
}

TEST_CASE("char and none tokenizers", "[eval]") {
    // " ".join("ab c"): a, b, ' ', c joined by single spaces.
    CHECK(tokenize(std::string("ab c"), Tokenizer::Char) == "a b   c");
    CHECK(tokenize(std::string("\xC3\xA9t\xC3\xA9"), Tokenizer::Char) == "\xC3\xA9 t \xC3\xA9");
    CHECK(tokenize(std::string("a  b, c."), Tokenizer::None) == "a  b, c.");
}

TEST_CASE("tokenizer names and signatures", "[eval]") {
    CHECK(parse_tokenizer("13a") == Tokenizer::V13a);
    CHECK(parse_tokenizer("intl") == Tokenizer::Intl);
    CHECK(parse_tokenizer("char") == Tokenizer::Char);
    CHECK(parse_tokenizer("none") == Tokenizer::None);
    CHECK(tokenizer_signature(Tokenizer::V13a) == "13a");
    CHECK(tokenizer_signature(Tokenizer::Intl) == "intl");
    CHECK_THROWS_AS(parse_tokenizer("zh"), deepnet::UserError);
}

TEST_CASE("invalid UTF-8 is a user error", "[eval]") {
    CHECK_THROWS_AS(tok13a("bad \xC3"), deepnet::UserError);
    std::u32string out;
    CHECK_FALSE(decode_utf8("\xC0\xAF", out));          // overlong '/'
    CHECK_FALSE(decode_utf8("\xED\xA0\x80", out));      // UTF-16 surrogate
    CHECK_FALSE(decode_utf8("\xF4\x90\x80\x80", out));  // above U+10FFFF
    CHECK_FALSE(decode_utf8("\x80", out));              // stray continuation byte
    REQUIRE(decode_utf8("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", out));
    CHECK(out == U"a\u00E9\u20AC\U0001F600");
}

TEST_CASE("Python str.lower semantics", "[eval]") {
    CHECK(lower("ABC Def") == "abc def");
    // Final sigma: a capital sigma after a cased letter and before none becomes U+03C2.
    CHECK(lower("\xCE\x9F\xCE\x94\xCE\x9F\xCE\xA3") == "\xCE\xBF\xCE\xB4\xCE\xBF\xCF\x82");
    CHECK(lower("\xCE\xA3\xCE\x91\xCE\xA3 \xCE\xA3") ==
          "\xCF\x83\xCE\xB1\xCF\x82 \xCF\x83");
    // U+0130 lower-cases to two code points: 'i' + U+0307.
    CHECK(lower("\xC4\xB0") == "i\xCC\x87");
    // Title-case U+01C5 -> U+01C6; U+212B (Angstrom sign) -> U+00E5.
    CHECK(lower("\xC7\x85\xE2\x84\xAB") == "\xC7\x86\xC3\xA5");
}

TEST_CASE("Python whitespace: split, rstrip, remove", "[eval]") {
    // U+00A0, U+3000 and U+001C count as whitespace for Python's str.split().
    const std::u32string s = U"a\u00A0b\u3000c\u001Cd \u2028";
    const auto parts = py_split(s);
    REQUIRE(parts.size() == 4);
    CHECK(parts[3] == U"d");
    CHECK(py_rstrip(s) == U"a\u00A0b\u3000c\u001Cd");
    CHECK(remove_whitespace(s) == U"abcd");
    // U+200B (zero width space) is not whitespace in Python.
    CHECK(py_split(U"a\u200Bb").size() == 1);
    CHECK(is_punct(U'\u00BF'));
    CHECK_FALSE(is_punct(U'$'));
    CHECK(is_symbol(U'\u20AC'));
    CHECK(is_number(U'\u2168'));  // Roman numeral nine, Nl
}
