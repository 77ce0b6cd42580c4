// `deepnet eval` as sacreBLEU's CLI users type it: -lc, -tok, -w, -s, -b, --force, and its
// refusal of a segment without a reference. Expected BLEU worked by hand (comments).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "eval_cli_support.h"

namespace {

const std::string& work_dir() {
    static const std::string dir = deepnet::test::make_eval_work_dir("eval_cli");
    return dir;
}

std::string write(const std::string& name, const std::string& text) {
    return deepnet::test::write_in(work_dir(), name, text);
}

deepnet::test::Run run(const std::string& args) { return deepnet::test::run_eval_in(work_dir(), args); }

// hyp "The Cat sat on The Mat today" against "the cat sat on the mat today", 13a, exp smoothing:
// cased, 1-grams 3/7 (sat on today), 2-grams 1/6 (sat on), 3-grams 0/5 -> 100/(2*5) = 10,
// 4-grams 0/4 -> 100/(4*4) = 6.25; BLEU = (42.857 * 16.667 * 10 * 6.25)^(1/4) = 14.5358, BP 1.
// Lowercased, every n-gram matches: 100.
struct Files {
    std::string hyp = write("eval_cli.hyp", "The Cat sat on The Mat today\n");
    std::string ref = write("eval_cli.ref", "the cat sat on the mat today\n");
};

}  // namespace

TEST_CASE("eval prints sacreBLEU's text line with its default width 1", "[app][eval]") {
    const Files f;
    const auto r = run("eval -r " + f.ref + " -i " + f.hyp + " -m bleu");
    REQUIRE(r.code == 0);
    REQUIRE(r.out == "BLEU|nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.4.0 = 14.5 "
                     "42.9/16.7/10.0/6.2 (BP = 1.000 ratio = 1.000 hyp_len = 7 ref_len = 7)\n");
}

TEST_CASE("eval -lc, -w, -b, -s and -tok as sacreBLEU spells them", "[app][eval]") {
    const Files f;
    auto r = run("eval -r " + f.ref + " -i " + f.hyp + " -m bleu -lc");
    REQUIRE(r.code == 0);
    REQUIRE(r.out == "BLEU|nrefs:1|case:lc|eff:no|tok:13a|smooth:exp|version:2.4.0 = 100.0 "
                     "100.0/100.0/100.0/100.0 (BP = 1.000 ratio = 1.000 hyp_len = 7 ref_len = 7)\n");
    r = run("eval -r " + f.ref + " -i " + f.hyp + " -m bleu -b -w 3");
    REQUIRE(r.out == "14.536\n");
    // Without smoothing the zero 3-gram precision makes BLEU 0.
    r = run("eval -r " + f.ref + " -i " + f.hyp + " -m bleu -b -s none");
    REQUIRE(r.out == "0.0\n");
    r = run("eval -r " + f.ref + " -i " + f.hyp + " -m bleu -tok none -lc");
    REQUIRE(r.out.find("tok:none") != std::string::npos);
    r = run("eval -r " + f.ref + " -i " + f.hyp + " -m chrf -cw 2 -w 2");
    REQUIRE(r.code == 0);
    REQUIRE(r.out.rfind("chrF2++|nrefs:1|case:mixed|eff:yes|nc:6|nw:2|space:no|version:2.4.0 = ", 0) == 0);
    // As in sacreBLEU, -lc is BLEU's; chrF has its own --chrf-lowercase.
    r = run("eval -r " + f.ref + " -i " + f.hyp + " -m chrf -lc");
    REQUIRE(r.out.find("|case:mixed|") != std::string::npos);
    const auto lc = run("eval -r " + f.ref + " -i " + f.hyp + " -m chrf --chrf-lowercase");
    REQUIRE(lc.out.find("|case:lc|") != std::string::npos);
    REQUIRE(lc.out != r.out);
    r = run("eval -r " + f.ref + " -i " + f.hyp + " -lcx");
    REQUIRE(r.code == 2);
    REQUIRE(r.out.find("unknown option '-lcx'") != std::string::npos);
}

TEST_CASE("eval warns about tokenized hypotheses unless --force", "[app][eval]") {
    std::string hyps, refs;
    for (int i = 0; i < 100; ++i) {
        hyps += "a house .\n";
        refs += "a house.\n";
    }
    const std::string h = write("eval_tok.hyp", hyps), ref = write("eval_tok.ref", refs);
    auto r = run("eval -r " + ref + " -i " + h + " -m bleu -b");
    REQUIRE(r.code == 0);
    REQUIRE(r.out.find("tokenized period") != std::string::npos);
    r = run("eval -r " + ref + " -i " + h + " -m bleu -b --force");
    REQUIRE(r.out.find("tokenized period") == std::string::npos);
}

TEST_CASE("eval refuses a segment whose only reference is empty, naming the line", "[app][eval]") {
    // sacreBLEU 2.x raises "Empty or `None` reference sentence found." here (docs/metrics.md).
    const std::string h = write("eval_empty.hyp", "a b c\n\nd e\n");
    const std::string ref = write("eval_empty.ref", "a b c\n\nd e f\n");
    const auto r = run("eval -r " + ref + " -i " + h);
    REQUIRE(r.code == 2);
    REQUIRE(r.out.find("line 2 has no non-empty reference") != std::string::npos);
}

TEST_CASE("eval -m ter with sacreBLEU's TER options and signature", "[app][eval]") {
    // TER is case-insensitive by default: "The Cat ..." needs 0 edits; cased, 4 words
    // differ (The, Cat, The, Mat) out of 7: 57.143.
    const Files f;
    auto r = run("eval -r " + f.ref + " -i " + f.hyp + " -m ter");
    REQUIRE(r.code == 0);
    REQUIRE(r.out == "TER|nrefs:1|case:lc|tok:tercom|norm:no|punct:yes|asian:no|version:2.4.0 = 0.0\n");
    r = run("eval -r " + f.ref + " -i " + f.hyp + " -m ter --ter-case-sensitive --ter-normalized "
                   "--ter-no-punct --ter-asian-support -w 3");
    REQUIRE(r.out == "TER|nrefs:1|case:mixed|tok:tercom|norm:yes|punct:no|asian:yes|version:2.4.0 = 57.143\n");
}

TEST_CASE("eval lines up several metrics on '=' in sacreBLEU's order", "[app][eval]") {
    const Files f;
    const auto r = run("eval -r " + f.ref + " -i " + f.hyp + " -m ter bleu -w 2");
    REQUIRE(r.code == 0);
    REQUIRE(r.out ==
            "        BLEU|nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.4.0 = 14.54 42.9/16.7/10.0/6.2 "
            "(BP = 1.000 ratio = 1.000 hyp_len = 7 ref_len = 7)\n"
            "TER|nrefs:1|case:lc|tok:tercom|norm:no|punct:yes|asian:no|version:2.4.0 = 0.00\n");
}

TEST_CASE("eval refuses paired tests and --confidence used the wrong way", "[app][eval]") {
    const Files f;
    auto r = run("eval -r " + f.ref + " -i " + f.hyp + " --paired-bs");
    REQUIRE(r.code == 2);
    REQUIRE(r.out.find("give two or more hypothesis files to -i") != std::string::npos);
    const std::string other = write("eval_cli_other.hyp", "the cat sat on a mat today\n");
    r = run("eval -r " + f.ref + " -i " + f.hyp + " " + other + " --paired-bs --paired-ar");
    REQUIRE(r.code == 2);
    REQUIRE(r.out.find("exclude each other") != std::string::npos);
    r = run("eval -r " + f.ref + " -i " + f.hyp + " " + other + " --confidence");
    REQUIRE(r.code == 2);
    REQUIRE(r.out.find("--confidence is for one system") != std::string::npos);
    r = run("eval -r " + f.ref + " -i " + f.hyp + " " + f.hyp);
    REQUIRE(r.code == 2);
    REQUIRE(r.out.find("given twice") != std::string::npos);
    // Paired tests skip the baseline given again, as sacreBLEU does.
    r = run("eval -r " + f.ref + " -i " + f.hyp + " " + other + " " + f.hyp +
                   " -m bleu --paired-ar --paired-ar-n 10 -b");
    REQUIRE(r.code == 0);
    REQUIRE(r.out.find("│ Baseline: eval_cli.hyp │") != std::string::npos);
    REQUIRE(r.out.find("Paired approximate randomization test with 10 trials") != std::string::npos);
    REQUIRE(r.out.find(" - BLEU       nrefs:1|ar:10|seed:12345|case:mixed") != std::string::npos);
}
