// Tests for sacreBLEU-compatible TER. Expected values are ported from sacreBLEU's
// test/test_ter.py and test/test_tokenizer_ter.py (2.x), or worked by hand.
#include <catch2/catch.hpp>

#include "src/core/error.h"
#include "src/eval/ter.h"
#include "src/eval/ter_edits.h"

using namespace deepnet::eval;

namespace {

Approx near(double expected, double margin) { return Approx(expected).epsilon(0).margin(margin); }

struct Case {
    std::vector<std::string> hyps, refs;
    double expected;  // TER as a fraction, as test_ter.py writes it
};

}  // namespace

TEST_CASE("TER cases from sacreBLEU test_ter.py", "[eval]") {
    const std::vector<Case> cases = {
        {{"aaaa bbbb cccc dddd"}, {"aaaa bbbb cccc dddd"}, 0},  // perfect match
        {{"dddd eeee ffff"}, {"aaaa bbbb cccc"}, 1},           // no overlap
        {{""}, {"a"}, 1},                                      // empty hypothesis
        {{"d e f g h a b c"}, {"a b c d e f g h"}, 1.0 / 8},   // a single shift fixes it
        {{"wählen Sie \" Bild neu berechnen , \" um beim Ändern der Bildgröße Pixel hinzuzufügen oder zu entfernen , damit das Bild ungefähr dieselbe Größe aufweist wie die andere Größe .",
          "wenn Sie alle Aufgaben im aktuellen Dokument aktualisieren möchten , wählen Sie im Menü des Aufgabenbedienfelds die Option \" Alle Aufgaben aktualisieren . \"",
          "klicken Sie auf der Registerkarte \" Optionen \" auf die Schaltfläche \" Benutzerdefiniert \" und geben Sie Werte für \" Fehlerkorrektur-Level \" und \" Y / X-Verhältnis \" ein .",
          "Sie können beispielsweise ein Dokument erstellen , das ein Auto über die Bühne enthält .",
          "wählen Sie im Dialogfeld \" Neu aus Vorlage \" eine Vorlage aus und klicken Sie auf \" Neu . \""},
         {"wählen Sie \" Bild neu berechnen , \" um beim Ändern der Bildgröße Pixel hinzuzufügen oder zu entfernen , damit die Darstellung des Bildes in einer anderen Größe beibehalten wird .",
          "wenn Sie alle Aufgaben im aktuellen Dokument aktualisieren möchten , wählen Sie im Menü des Aufgabenbedienfelds die Option \" Alle Aufgaben aktualisieren . \"",
          "klicken Sie auf der Registerkarte \" Optionen \" auf die Schaltfläche \" Benutzerdefiniert \" und geben Sie für \" Fehlerkorrektur-Level \" und \" Y / X-Verhältnis \" niedrigere Werte ein .",
          "Sie können beispielsweise ein Dokument erstellen , das ein Auto enthalt , das sich über die Bühne bewegt .",
          "wählen Sie im Dialogfeld \" Neu aus Vorlage \" eine Vorlage aus und klicken Sie auf \" Neu . \""},
         0.136},  // realistic example from WMT dev data (2019)
    };
    for (const Case& c : cases) {
        INFO(c.hyps[0]);
        CHECK(corpus_ter(c.hyps, {c.refs}).score == near(100 * c.expected, 1e-3));
    }
}

TEST_CASE("TER tokenizer cases from sacreBLEU test_tokenizer_ter.py", "[eval]") {
    const TerOptions def;
    CHECK(ter_tokenize(std::string("a b c d"), def) == "a b c d");
    CHECK(ter_tokenize(std::string(""), def) == "");
    CHECK(ter_tokenize(std::string("a b c d."), def) == "a b c d.");
    CHECK(ter_tokenize(std::string("A B C D."), def) == "a b c d.");
    TerOptions no_punct;
    no_punct.no_punct = true;
    CHECK(ter_tokenize(std::string("a b c d."), no_punct) == "a b c d");
    CHECK(ter_tokenize(std::string("A ; B ) C : D."), no_punct) == "a b c d");
    TerOptions norm;
    norm.normalized = true;
    CHECK(ter_tokenize(std::string("a b (c) d."), norm) == "a b ( c ) d .");
    CHECK(ter_tokenize(std::string("Jim's car."), norm) == "jim 's car .");
    CHECK(ter_tokenize(std::string("4.2"), norm) == "4.2");
    TerOptions asian = norm;
    asian.asian_support = true;
    CHECK(ter_tokenize(std::string("美众院公布对特"), asian) == "美 众 院 公 布 对 特");
    // The first two letters are Hiragana: kana stay together (see ter_tokenizer.cpp).
    CHECK(ter_tokenize(std::string("りの拳銃を持"), asian) == "りの 拳 銃 を 持");
}

TEST_CASE("TER tokenizer: entities, digits, case and CJK punctuation", "[eval]") {
    TerOptions norm;
    norm.normalized = true;
    // Entities decode in sacreBLEU's order: "&amp;lt;" becomes "<", then splits off.
    CHECK(ter_tokenize(std::string("A&amp;lt;B 1,000 5-3 x-y"), norm) == "a < b 1,000 5 - 3 x-y");
    norm.case_sensitive = true;
    CHECK(ter_tokenize(std::string("The U.S."), norm) == "The U . S .");
    TerOptions punct;
    punct.no_punct = true;
    punct.asian_support = true;  // drops CJK punctuation even without normalisation
    CHECK(ter_tokenize(std::string("你好。（世界）, ok!"), punct) == "你好世界 ok");
    // Python's str.lower(): İ becomes "i̇" (two code points), ΟΔΟΣ becomes οδος.
    CHECK(ter_tokenize(std::string("İ ΟΔΟΣ"), TerOptions{}) == "i\xcc\x87 οδος");
}

TEST_CASE("TER edits: shifts, beam and empty sides", "[eval]") {
    // One block of three words moved: 1 shift, no other edit.
    CHECK(ter_num_edits({3, 4, 5, 0, 1, 2}, {0, 1, 2, 3, 4, 5}) == 1);
    CHECK(ter_num_edits({}, {0, 1, 2}) == 3);   // three insertions
    CHECK(ter_num_edits({0, 1}, {}) == 2);      // empty reference: one per hypothesis word
    CHECK(ter_num_edits({0, 9, 2}, {0, 1, 2}) == 1);  // one substitution
}

TEST_CASE("TER corpus statistics, several references and signature", "[eval]") {
    // Segment 1: refs of 4 and 2 words, the second matches (0 edits); mean length 3.
    // Segment 2: one ref "x y", hyp "x" -> 1 edit, length 2. TER = 100 * 1 / 5.
    const TerScore s = corpus_ter({"a b", "x"}, {{"a b c d", "x y"}, {"a b", ""}});
    CHECK(s.num_edits == 1);
    CHECK(s.ref_length == 5.0);
    CHECK(s.score == near(20.0, 1e-12));
    CHECK(s.nrefs == -1);
    CHECK(ter_signature(TerOptions{}, 1) ==
          "nrefs:1|case:lc|tok:tercom|norm:no|punct:yes|asian:no|version:2.4.0");
    TerOptions o;
    o.case_sensitive = o.normalized = o.no_punct = o.asian_support = true;
    CHECK(ter_signature(o, -1) ==
          "nrefs:var|case:mixed|tok:tercom|norm:yes|punct:no|asian:yes|version:2.4.0");
    CHECK(format_ter(s, 3) == "TER = 20.000");
    // Reference of whitespace only: length 0, hypothesis words all count; 100 (sacreBLEU's
    // "empty reference(s) and non-empty hypothesis"), and 0 when both are empty.
    CHECK(compute_ter(2, 0.0).score == 100.0);
    CHECK(compute_ter(0, 0.0).score == 0.0);
    CHECK(sentence_ter("A B", {"a b"}).score == 0.0);  // lowercased by default
    TerOptions cased;
    cased.case_sensitive = true;
    CHECK(sentence_ter("A B", {"a b"}, cased).score == 100.0);
}

TEST_CASE("TER refuses invalid UTF-8 and a segment without reference", "[eval]") {
    CHECK_THROWS_AS(corpus_ter({"a\xff"}, {{"a"}}), deepnet::UserError);
    CHECK_THROWS_AS(corpus_ter({"a"}, {{""}}), deepnet::UserError);
}
