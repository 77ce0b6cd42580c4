// Tests for sacreBLEU-compatible BLEU. Expected values are ported from sacreBLEU's own
// test/test_bleu.py, test/test_sentence_bleu.py and README (2.x), or worked by hand.
#include <catch2/catch.hpp>

#include <cmath>

#include "src/core/error.h"
#include "src/eval/bleu.h"

using namespace deepnet::eval;

namespace {

Approx near(double expected, double margin) { return Approx(expected).epsilon(0).margin(margin); }

using Refs = std::vector<std::vector<std::string>>;

// sacreBLEU README / test_bleu.py corpus: two reference streams.
const std::vector<std::string> kHyps = {"The dog bit the man.", "It wasn't surprising.",
                                        "The man had just bitten him."};
const Refs kRefs = {
    {"The dog bit the man.", "It was not unexpected.", "The man bit him first."},
    {"The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."}};

// sacreBLEU's compat raw_corpus_bleu: no tokenization, floor smoothing, effective order.
BleuOptions raw_options(std::optional<double> floor) {
    BleuOptions o;
    o.tokenizer = Tokenizer::None;
    o.smooth = BleuSmooth::Floor;
    o.smooth_value = floor;
    o.effective_order = true;
    return o;
}

BleuStats stats(std::vector<int64_t> correct, std::vector<int64_t> total, int64_t sys,
                int64_t ref) {
    BleuStats s;
    s.correct = std::move(correct);
    s.total = std::move(total);
    s.sys_len = sys;
    s.ref_len = ref;
    return s;
}

}  // namespace

TEST_CASE("BLEU README example, text format and signature", "[eval]") {
    const BleuScore s = corpus_bleu(kHyps, kRefs);
    CHECK(format_bleu(s) ==
          "BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)");
    CHECK(s.nrefs == 2);
    CHECK(bleu_signature(BleuOptions{}, s.nrefs) ==
          "nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp|version:2.4.0");
}

TEST_CASE("BLEU README example with a variable number of references", "[eval]") {
    Refs refs = kRefs;
    refs[0][0] = "";  // no first reference for the first segment
    const BleuScore s = corpus_bleu(kHyps, refs);
    CHECK(format_bleu(s) ==
          "BLEU = 29.44 82.4/42.9/27.3/12.5 (BP = 0.889 ratio = 0.895 hyp_len = 17 ref_len = 19)");
    CHECK(s.nrefs == -1);
    CHECK(bleu_signature(BleuOptions{}, s.nrefs) ==
          "nrefs:var|case:mixed|eff:no|tok:13a|smooth:exp|version:2.4.0");
}

TEST_CASE("BLEU test_corpus_bleu cases from sacreBLEU", "[eval]") {
    const double eps = 1e-8;
    BleuOptions o;
    CHECK(corpus_bleu(kHyps, kRefs, o).score == near(48.530827, eps));
    CHECK(corpus_bleu({"", "", ""}, kRefs, o).score == 0.0);  // empty hyps are kept
    o.tokenizer = Tokenizer::None;
    CHECK(corpus_bleu(kHyps, kRefs, o).score == near(49.1919566, eps));
    o.tokenizer = Tokenizer::Intl;
    CHECK(corpus_bleu(kHyps, kRefs, o).score == near(43.91623493, eps));
    o.tokenizer = Tokenizer::V13a;
    o.smooth = BleuSmooth::None;
    CHECK(corpus_bleu(kHyps, kRefs, o).score == near(48.530827, eps));
}

TEST_CASE("BLEU test_max_ngram_order from sacreBLEU", "[eval]") {
    const char* expected[] = {"77.65", "60.50", "53.93", "48.53", "46.14", "43.28"};
    for (int order = 1; order <= 6; ++order) {
        BleuOptions o;
        o.max_ngram_order = order;
        const BleuScore s = corpus_bleu(kHyps, kRefs, o);
        CHECK(format_fixed(s.score, 2) == expected[order - 1]);
        CHECK(s.precisions.size() == static_cast<std::size_t>(order));
    }
}

TEST_CASE("BLEU raw_corpus_bleu cases from sacreBLEU", "[eval]") {
    const double eps = 1e-8;
    const BleuOptions o = raw_options(0.01);
    // test_raw_bleu
    CHECK(corpus_bleu({"this is a test", "another test"}, {{"ref1", "ref2"}}, o).score == 0.0);
    CHECK(corpus_bleu({"this is a test"}, {{"this is a test"}}, o).score / 100 == near(1.0, eps));
    CHECK(corpus_bleu({"this is a fest"}, {{"this is a test"}}, o).score / 100 ==
          near(0.223606797749979, eps));
    // test_effective_order
    CHECK(corpus_bleu({"test"}, {{"a test"}}, o).score / 100 == near(0.3678794411714425, eps));
    CHECK(corpus_bleu({"a test"}, {{"a test"}}, o).score / 100 == near(1.0, eps));
    CHECK(corpus_bleu({"a little test"}, {{"a test"}}, o).score / 100 ==
          near(0.03218297948685433, eps));
    // test_statistics
    const BleuScore s = corpus_bleu({"am I am a character sequence"},
                                    {{"I am a symbol string sequence a a"}}, o);
    CHECK(s.counts == std::vector<int64_t>{4, 2, 1, 0});
    CHECK(s.totals == std::vector<int64_t>{6, 5, 4, 3});
    // test_offset: floor 0 gives 0; the default floor (0.1) gives 0.1555722182.
    CHECK(corpus_bleu({"am I am a character sequence"}, {{"I am a symbol string sequence a a"}},
                      raw_options(0.0)).score == 0.0);
    CHECK(corpus_bleu({"am I am a character sequence"}, {{"I am a symbol string sequence a a"}},
                      raw_options(std::nullopt)).score / 100 == near(0.1555722182, eps));
}

TEST_CASE("BLEU compute_bleu from statistics (test_scoring, test_degenerate_statistics)",
          "[eval]") {
    BleuOptions none;
    none.smooth = BleuSmooth::None;
    CHECK(compute_bleu(stats({9, 7, 5, 3}, {10, 8, 6, 4}, 11, 11), none).score / 100 ==
          near(0.8375922397, 1e-8));
    struct Case { BleuStats st; double floor; };
    const Case cases[] = {
        {stats({0, 0, 0, 0}, {4, 4, 2, 1}, 0, 1), 0.0},
        {stats({0, 0, 0, 0}, {10, 11, 12, 0}, 14, 10), 0.0},
        {stats({0, 0, 0, 0}, {0, 0, 0, 0}, 0, 0), 0.0},
        {stats({6, 5, 4, 0}, {6, 5, 4, 3}, 6, 6), 0.0},
        {stats({0, 0, 0, 0}, {0, 0, 0, 0}, 0, 0), 0.1},
        {stats({0, 0, 0, 0}, {0, 0, 0, 0}, 1, 5), 0.01},
    };
    for (const Case& c : cases) {
        BleuOptions o;
        o.smooth = BleuSmooth::Floor;
        o.smooth_value = c.floor;
        CHECK(compute_bleu(c.st, o).score == 0.0);
    }
    // Guard for the loop above: the same statistics with a match do score above 0.
    BleuOptions floor;
    floor.smooth = BleuSmooth::Floor;
    CHECK(compute_bleu(stats({6, 5, 4, 0}, {6, 5, 4, 3}, 6, 6), floor).score > 0.0);
}

TEST_CASE("sentence BLEU cases from sacreBLEU test_sentence_bleu.py", "[eval]") {
    // Example from sacreBLEU issue #98 (note ţ U+0163 in the reference, ț U+021B in the
    // hypothesis).
    const std::string ref = "produc\xC5\xA3ia de zah\xC4\x83r brut se exprim\xC4\x83 \xC3\xAEn "
                            "zah\xC4\x83r alb;";
    const std::string sys = "Produc\xC8\x9Bia de zah\xC4\x83r prim\xC4\x83 va fi exprimat\xC4\x83 "
                            "\xC3\xAEn ceea ce prive\xC8\x99te zah\xC4\x83rul alb;";
    struct Case {
        BleuSmooth sm;
        std::optional<double> value;
        bool lc;
        Tokenizer tok;
        double expected;
    };
    const Case cases[] = {
        {BleuSmooth::Exp, std::nullopt, false, Tokenizer::V13a, 8.493},
        {BleuSmooth::None, std::nullopt, false, Tokenizer::V13a, 0.0},
        {BleuSmooth::Floor, std::nullopt, false, Tokenizer::V13a, 4.51688},
        {BleuSmooth::Floor, 0.1, false, Tokenizer::V13a, 4.51688},
        {BleuSmooth::Floor, 0.5, false, Tokenizer::V13a, 10.10},
        {BleuSmooth::AddK, std::nullopt, false, Tokenizer::V13a, 14.882},
        {BleuSmooth::AddK, 1.0, false, Tokenizer::V13a, 14.882},
        {BleuSmooth::AddK, 2.0, false, Tokenizer::V13a, 21.389},
        {BleuSmooth::Exp, std::nullopt, false, Tokenizer::None, 7.347},
        {BleuSmooth::Exp, std::nullopt, false, Tokenizer::Intl, 8.493},
        {BleuSmooth::Exp, std::nullopt, false, Tokenizer::Char, 40.8759},
        {BleuSmooth::Exp, std::nullopt, true, Tokenizer::Char, 42.0267},
    };
    for (const Case& c : cases) {
        BleuOptions o;
        o.smooth = c.sm;
        o.smooth_value = c.value;
        o.lowercase = c.lc;
        o.tokenizer = c.tok;
        o.effective_order = true;
        CHECK(sentence_bleu(sys, {ref}, o).score == near(c.expected, 1e-3));
    }
    // Issue #141: no match at all is 0 whatever the smoothing.
    for (BleuSmooth sm : {BleuSmooth::Exp, BleuSmooth::None, BleuSmooth::Floor, BleuSmooth::AddK}) {
        BleuOptions o;
        o.smooth = sm;
        o.effective_order = true;
        CHECK(sentence_bleu("this is a cat", {"okay thanks"}, o).score == 0.0);
    }
}

TEST_CASE("BLEU smoothing methods, worked by hand", "[eval]") {
    // hyp "a b c d" vs ref "a b x d": matches 1-gram 3/4, 2-gram 1/3 ("a b"),
    // 3-gram 0/2, 4-gram 0/1; BP = 1.
    BleuOptions o;
    o.tokenizer = Tokenizer::None;
    // exp: p3 = 100/(2*2) = 25, p4 = 100/(4*1) = 25;
    //      (0.75 * 1/3 * 0.25 * 0.25)^(1/4) = (1/64)^(1/4) = 0.35355339...
    BleuScore s = sentence_bleu("a b c d", {"a b x d"}, o);
    CHECK(s.score == near(100.0 / std::sqrt(8.0), 1e-9));
    CHECK(format_bleu(s) ==
          "BLEU = 35.36 75.0/33.3/25.0/25.0 (BP = 1.000 ratio = 1.000 hyp_len = 4 ref_len = 4)");
    // floor 0.1: p3 = 100*0.1/2 = 5, p4 = 100*0.1/1 = 10; (0.75/3 * 0.05 * 0.1)^(1/4).
    o.smooth = BleuSmooth::Floor;
    CHECK(sentence_bleu("a b c d", {"a b x d"}, o).score ==
          near(100 * std::pow(0.75 / 3 * 0.05 * 0.1, 0.25), 1e-9));
    CHECK(bleu_signature(o, 1) ==
          "nrefs:1|case:mixed|eff:no|tok:none|smooth:floor[0.10]|version:2.4.0");
    // add-k 1 (orders > 1 only): 3/4, 2/4, 1/3, 1/2; product 1/16, fourth root 1/2.
    o.smooth = BleuSmooth::AddK;
    s = sentence_bleu("a b c d", {"a b x d"}, o);
    CHECK(s.score == near(50.0, 1e-9));
    CHECK(s.counts == std::vector<int64_t>{3, 1, 0, 0});  // reported before smoothing
    CHECK(bleu_signature(o, 1) ==
          "nrefs:1|case:mixed|eff:no|tok:none|smooth:add-k[1.00]|version:2.4.0");
    o.smooth_value = 2.0;
    CHECK(bleu_signature(o, 1) ==
          "nrefs:1|case:mixed|eff:no|tok:none|smooth:add-k[2.00]|version:2.4.0");
    // none: a zero precision makes the geometric mean 0.
    o.smooth = BleuSmooth::None;
    CHECK(sentence_bleu("a b c d", {"a b x d"}, o).score == 0.0);
}

TEST_CASE("BLEU effective order and brevity penalty, worked by hand", "[eval]") {
    BleuOptions o;
    o.tokenizer = Tokenizer::None;
    // "a b" vs "a b c d": orders 3 and 4 have no hypothesis n-grams. Without effective
    // order their zero precisions zero the score; with it, p1 = p2 = 100 and
    // BP = exp(1 - 4/2) = 1/e.
    CHECK(sentence_bleu("a b", {"a b c d"}, o).score == 0.0);
    o.effective_order = true;
    const BleuScore s = sentence_bleu("a b", {"a b c d"}, o);
    CHECK(s.score == near(100.0 / std::exp(1.0), 1e-9));
    CHECK(s.bp == near(std::exp(-1.0), 1e-12));
    CHECK(format_fixed(s.ratio(), 3) == "0.500");
    CHECK(bleu_signature(o, 1) == "nrefs:1|case:mixed|eff:yes|tok:none|smooth:exp|version:2.4.0");
}

TEST_CASE("BLEU multiple references: closest length and clipping", "[eval]") {
    BleuOptions o;
    o.tokenizer = Tokenizer::None;
    o.effective_order = true;
    // Hyp length 3, references of length 2 and 4: a tie, broken towards the shorter, so
    // ref_len = 2 and BP = 1 (choosing 4 would give BP = exp(1 - 4/3)).
    BleuScore s = sentence_bleu("a b c", {"a b", "a b c d"}, o);
    CHECK(s.ref_len == 2);
    CHECK(s.bp == 1.0);
    CHECK(s.score == near(100.0, 1e-9));  // every n-gram appears in "a b c d"
    // "the" may match at most twice (its max count over the references):
    // 1-gram 2/3, 2-gram "the the" 1/2, 3-gram 0/1 -> exp smoothing 100/(2*1) = 50;
    // score = (2/3 * 1/2 * 1/2)^(1/3) = (1/6)^(1/3); closest ref length 3.
    s = sentence_bleu("the the the", {"the cat", "the the dog"}, o);
    CHECK(s.counts == std::vector<int64_t>{2, 1, 0, 0});
    CHECK(s.totals == std::vector<int64_t>{3, 2, 1, 0});
    CHECK(s.ref_len == 3);
    CHECK(s.score == near(100 * std::cbrt(1.0 / 6.0), 1e-9));
}

TEST_CASE("BLEU empty hypotheses and references", "[eval]") {
    const BleuScore s = corpus_bleu({""}, {{"a b"}});
    CHECK(format_bleu(s) ==
          "BLEU = 0.00 0.0/0.0/0.0/0.0 (BP = 0.000 ratio = 0.000 hyp_len = 0 ref_len = 2)");
    // A whitespace-only reference is kept (only "" is dropped): ref_len 0, ratio 0.
    const BleuScore w = corpus_bleu({"a"}, {{"   "}});
    CHECK(w.ref_len == 0);
    CHECK(w.sys_len == 1);
    CHECK(format_bleu(w) ==
          "BLEU = 0.00 0.0/0.0/0.0/0.0 (BP = 1.000 ratio = 0.000 hyp_len = 1 ref_len = 0)");
    // A segment whose references are all empty is an error, as in sacreBLEU.
    CHECK_THROWS_AS(corpus_bleu({"a", "b"}, {{"a", ""}, {"a", ""}}), deepnet::UserError);
    CHECK_THROWS_AS(corpus_bleu({}, {{}}), deepnet::UserError);
}

TEST_CASE("BLEU lowercase and tokenization matter", "[eval]") {
    BleuOptions o;
    o.effective_order = true;
    CHECK(sentence_bleu("THE DOG", {"the dog"}, o).score == 0.0);
    o.lowercase = true;
    CHECK(sentence_bleu("THE DOG", {"the dog"}, o).score == near(100.0, 1e-9));
    CHECK(bleu_signature(o, 1) == "nrefs:1|case:lc|eff:yes|tok:13a|smooth:exp|version:2.4.0");
    // 13a makes "Hello, world!" and "Hello , world !" identical; no tokenization does not.
    o.lowercase = false;
    CHECK(sentence_bleu("Hello, world!", {"Hello , world !"}, o).score == near(100.0, 1e-9));
    o.tokenizer = Tokenizer::None;
    CHECK(sentence_bleu("Hello, world!", {"Hello , world !"}, o).score < 100.0);
}

TEST_CASE("BLEU input errors name the stream and line", "[eval]") {
    try {
        corpus_bleu({"ok", "bad \xFF"}, {{"ok", "ok"}});
        FAIL("expected a UserError");
    } catch (const deepnet::UserError& e) {
        CHECK(std::string(e.what()).find("hypothesis line 2") != std::string::npos);
    }
    try {
        corpus_bleu({"ok"}, {{"ok"}, {"\xE2\x82"}});
        FAIL("expected a UserError");
    } catch (const deepnet::UserError& e) {
        CHECK(std::string(e.what()).find("reference stream 2 line 1") != std::string::npos);
    }
    CHECK_THROWS_AS(corpus_bleu({"a", "b"}, {{"a"}}), deepnet::UserError);
    CHECK_THROWS_AS(parse_bleu_smooth("add-n"), deepnet::UserError);
    CHECK(parse_bleu_smooth("add-k") == BleuSmooth::AddK);
}
