// Tests for sacreBLEU-compatible chrF / chrF++. Expected values are ported from sacreBLEU's
// test/test_chrf.py and README (2.x), or worked by hand. Source strings are UTF-8.
#include <catch2/catch.hpp>

#include "src/core/error.h"
#include "src/eval/chrf.h"

using namespace deepnet::eval;

namespace {

Approx near(double expected, double margin) { return Approx(expected).epsilon(0).margin(margin); }

// test_chrf.py uses char_order 6, word_order 0, beta 3.
ChrfOptions beta3(bool eps_smoothing, bool whitespace = false) {
    ChrfOptions o;
    o.beta = 3;
    o.eps_smoothing = eps_smoothing;
    o.whitespace = whitespace;
    return o;
}

struct Case {
    std::vector<std::string> hyps;
    std::vector<std::string> refs;
    double expected;
};

const char* kRiskHyp =
    "risk assessment must be made of those who are qualified and expertise in the sector - "
    "these are the scientists .";
const char* kRiskRef =
    "risk assessment has to be undertaken by those who are qualified and expert in that area - "
    "that is the scientists .";
const char* kObamaRef =
    "Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich.";

}  // namespace

TEST_CASE("chrF eps smoothing cases from sacreBLEU test_chrf.py", "[eval]") {
    const std::vector<Case> cases = {
        {{"abcdefg"}, {"hijklmnop"}, 0.0},
        {{"a"}, {"b"}, 0.0},
        {{""}, {"b"}, 0.0},
        {{""}, {"ref"}, 0.0},
        {{""}, {"reference"}, 0.0},
        {{"aa"}, {"ab"}, 8.3333},
        {{"a", "b"}, {"a", "c"}, 8.3333},
        {{"a"}, {"a"}, 16.6667},
        {{"a b c"}, {"a b c"}, 50.0},
        {{"a b c"}, {"abc"}, 50.0},
        {{std::string(" ") + kRiskHyp}, {kRiskRef}, 63.361730},
        {{" Die    Beziehung zwischen  Obama und Netanjahu ist nicht gerade  freundlich. "},
         {kObamaRef}, 64.1302698},
        {{"Niemand hat die Absicht, eine Mauer zu errichten"},
         {"Niemand hat die Absicht, eine Mauer zu errichten"}, 100.0},
    };
    for (const Case& c : cases) {
        INFO(c.hyps[0]);
        CHECK(corpus_chrf(c.hyps, {c.refs}, beta3(true)).score == near(c.expected, 1e-4));
    }
}

TEST_CASE("chrF effective-order cases from sacreBLEU test_chrf.py", "[eval]") {
    const std::vector<Case> cases = {
        {{"a"}, {"a"}, 100.0},        {{""}, {"reference"}, 0.0},
        {{"a b c"}, {"a b c"}, 100.0}, {{"a b c"}, {"abc"}, 100.0},
        {{""}, {"c"}, 0.0},           {{"a", "b"}, {"a", "c"}, 50.0},
        {{"aa"}, {"ab"}, 25.0},
    };
    for (const Case& c : cases) {
        INFO(c.hyps[0]);
        CHECK(corpus_chrf(c.hyps, {c.refs}, beta3(false)).score == near(c.expected, 1e-4));
    }
}

TEST_CASE("chrF keep-whitespace cases from sacreBLEU test_chrf.py", "[eval]") {
    const ChrfOptions o = beta3(false, true);
    CHECK(corpus_chrf({"Die Beziehung zwischen Obama und Netanjahu ist nicht gerade freundlich."},
                      {{kObamaRef}}, o).score == near(67.3481606, 1e-4));
    CHECK(corpus_chrf({kRiskHyp}, {{kRiskRef}}, o).score == near(65.2414427, 1e-4));
    CHECK(chrf_signature(o, 1) == "nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:yes|version:2.4.0");
}

TEST_CASE("sentence chrF cases from sacreBLEU test_chrf.py", "[eval]") {
    ChrfOptions o;
    o.eps_smoothing = true;
    CHECK(sentence_chrf("Co nás nejvíc trápí, protože lékaři si vybírají, kdo bude žít "
                        "a kdo zemře.",
                        {"Nejvíce smutní jsme z toho, že musíme rozhodovat o tom, kdo bude žít "
                         "a kdo zemře."},
                        o).score == near(39.14078509, 1e-4));
    CHECK(sentence_chrf("Nebo prostě nemají vybavení, které by jim pomohlo, uvedli lékaři.",
                        {"A někdy nemáme ani potřebný materiál, abychom jim pomohli, popsali "
                         "lékaři."},
                        o).score == near(31.22557079, 1e-4));
    CHECK(sentence_chrf("Lapali po dechu, jejich životy skončily dřív, než skutečně začaly.",
                        {"Lapali po dechu a pak jejich život skončil - dřív, než skutečně mohl "
                         "začít, připomněli."},
                        o).score == near(57.15704367, 1e-4));
}

TEST_CASE("chrF README example with two references", "[eval]") {
    const std::vector<std::string> hyps = {"The dog bit the man.", "It wasn't surprising.",
                                           "The man had just bitten him."};
    const std::vector<std::vector<std::string>> refs = {
        {"The dog bit the man.", "It was not unexpected.", "The man bit him first."},
        {"The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."}};
    const ChrfScore s = corpus_chrf(hyps, refs);
    CHECK(format_chrf(s) == "chrF2 = 59.73");
    CHECK(s.nrefs == 2);
    CHECK(chrf_signature(ChrfOptions{}, s.nrefs) ==
          "nrefs:2|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.4.0");
}

TEST_CASE("chrF++ worked by hand", "[eval]") {
    // hyp "ab cd." vs ref "ab cd". Characters (no spaces) "abcd." vs "abcd": orders 1-4
    // match 4/5, 3/4, 2/3, 1/2 with recall 1; order 5 has no reference n-gram and order 6
    // none at all, so both drop out. Words: "cd." splits into "cd" "." -> 1-grams 2/3,
    // 2-grams ("ab cd", "cd .") 1/2, recall 1. Effective order 6:
    // P = (4/5 + 3/4 + 2/3 + 1/2 + 2/3 + 1/2) / 6 = 233/360, R = 1,
    // chrF++ = 100 * 5 P / (4 P + 1) = 100 * 1165 / 1292.
    ChrfOptions o;
    o.word_order = 2;
    const ChrfScore s = sentence_chrf("ab cd.", {"ab cd"}, o);
    CHECK(s.score == near(100.0 * 1165.0 / 1292.0, 1e-9));
    CHECK(format_chrf(s) == "chrF2++ = 90.17");
    CHECK(s.stats == std::vector<int64_t>{5, 4, 4, 4, 3, 3, 3, 2, 2, 2, 1, 1, 0, 0, 0, 0, 0, 0,
                                          3, 2, 2, 2, 1, 1});
    o.eps_smoothing = true;
    CHECK(chrf_signature(o, 1) == "nrefs:1|case:mixed|eff:no|nc:6|nw:2|space:no|version:2.4.0");
}

TEST_CASE("chrF++ punctuation splitting keeps sacreBLEU's quirk", "[eval]") {
    // Only one mark comes off a word: "(hi)" -> "(hi" ")"; "( hi )" -> "(" "hi" ")".
    // Word 1-grams alone: one match (")"), P = 1/2, R = 1/3,
    // F2 = 5 * (1/6) / (4/2 + 1/3) = 5/14.
    ChrfOptions o;
    o.char_order = 0;
    o.word_order = 1;
    CHECK(sentence_chrf("(hi)", {"( hi )"}, o).score == near(500.0 / 14.0, 1e-9));
}

TEST_CASE("chrF picks the best reference per segment", "[eval]") {
    const ChrfScore s = sentence_chrf("abc", {"xyz", "abc"});
    CHECK(s.score == near(100.0, 1e-9));
    // "ab" against "abx" and "ab": the second has the higher F, so its counts are kept
    // (reference 1-grams: 2, not 3).
    const auto stats = chrf_segment_stats({"ab"}, {{"abx"}, {"ab"}}, ChrfOptions{});
    REQUIRE(stats.size() == 1);
    CHECK(stats[0][1] == 2);
    CHECK(corpus_chrf({"ab"}, {{"abx"}, {"ab"}}).score == near(100.0, 1e-9));
}

TEST_CASE("chrF empty input, lowercase and whitespace", "[eval]") {
    CHECK(format_chrf(sentence_chrf("", {"abc"})) == "chrF2 = 0.00");
    CHECK(sentence_chrf("ABC", {"abc"}).score == 0.0);
    ChrfOptions lc;
    lc.lowercase = true;
    CHECK(sentence_chrf("ABC", {"abc"}, lc).score == near(100.0, 1e-9));
    CHECK(chrf_signature(lc, 1) == "nrefs:1|case:lc|eff:yes|nc:6|nw:0|space:no|version:2.4.0");
    // U+3000 is whitespace for Python, so it is removed before character n-grams.
    CHECK(sentence_chrf("a\xE3\x80\x80" "b", {"ab"}).score == near(100.0, 1e-9));
    ChrfOptions ws;
    ws.whitespace = true;
    CHECK(sentence_chrf("a\xE3\x80\x80" "b", {"ab"}, ws).score < 100.0);
}

TEST_CASE("chrF references: empty ones skipped, errors reported", "[eval]") {
    const ChrfScore s = corpus_chrf({"abc", "de"}, {{"abc", ""}, {"", "de"}});
    CHECK(s.score == near(100.0, 1e-9));
    CHECK(s.nrefs == 1);
    CHECK_THROWS_AS(corpus_chrf({"abc"}, {{""}}), deepnet::UserError);
    CHECK_THROWS_AS(corpus_chrf({"a", "b"}, {{"a"}}), deepnet::UserError);
    try {
        corpus_chrf({"a", "b", "\xC3("}, {{"a", "b", "c"}});
        FAIL("expected a UserError");
    } catch (const deepnet::UserError& e) {
        CHECK(std::string(e.what()).find("hypothesis line 3") != std::string::npos);
    }
    ChrfOptions bad;
    bad.char_order = 0;
    CHECK_THROWS_AS(corpus_chrf({"a"}, {{"a"}}, bad), deepnet::UserError);
}
