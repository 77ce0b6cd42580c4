// `deepnet eval` in sacreBLEU 2.x's other CLI modes: -f json for one and several systems
// (utils.print_single_results / print_results_table), lines read and rstrip()ped as
// sacrebleu.py reads them, systems as tab-separated columns on standard input,
// --paired-jobs and sentence-level scores (-sl). Expected BLEU worked by hand (comments).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "eval_cli_support.h"

namespace {

const std::string& work_dir() {
    static const std::string dir = deepnet::test::make_eval_work_dir("eval_cli_modes");
    return dir;
}

std::string write(const std::string& name, const std::string& text) {
    return deepnet::test::write_in(work_dir(), name, text);
}

deepnet::test::Run run(const std::string& args) { return deepnet::test::run_eval_in(work_dir(), args); }

// hyp1 "The Cat sat on The Mat today" against "the cat sat on the mat today" (13a, exp):
// precisions 3/7, 1/6, 0/5 -> 100/(2*5), 0/4 -> 100/(4*4); BLEU = 14.535768424205482.
// hyp2 "the cat sat on a mat today": 6/7, 4/6, 2/5, 1/4; BLEU = 48.892302243490086.
// (Both printed by Python's repr of sacreBLEU's formula, bp * exp(mean(log p_n)).)
struct Files {
    std::string ref = write("modes.ref", "the cat sat on the mat today\n");
    std::string hyp1 = write("modes1.hyp", "The Cat sat on The Mat today\n");
    std::string hyp2 = write("modes2.hyp", "the cat sat on a mat today\n");
};

const char* const kBleuSig = "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.4.0";

}  // namespace

TEST_CASE("eval -f json prints sacreBLEU's JSON object for one system", "[app][eval]") {
    const Files f;
    auto r = run("eval -r " + f.ref + " -i " + f.hyp1 + " -m bleu -f json");
    REQUIRE(r.code == 0);
    CHECK(r.out == std::string("{\n"
                               " \"name\": \"BLEU\",\n"
                               " \"score\": 14.5,\n"
                               " \"signature\": \"") + kBleuSig + "\",\n"
                               " \"verbose_score\": \"42.9/16.7/10.0/6.2 (BP = 1.000 ratio = 1.000 hyp_len = 7 ref_len = 7)\",\n"
                               " \"nrefs\": \"1\",\n"
                               " \"case\": \"mixed\",\n"
                               " \"eff\": \"no\",\n"
                               " \"tok\": \"13a\",\n"
                               " \"smooth\": \"exp\",\n"
                               " \"version\": \"2.4.0\"\n"
                               "}\n");
    // Several metrics make a list; -b wins over -f json (Score.format returns the bare score).
    r = run("eval -r " + f.ref + " -i " + f.hyp1 + " -m ter bleu -f json");
    CHECK(r.out.rfind("[\n{\n \"name\": \"BLEU\",", 0) == 0);
    CHECK(r.out.find("},\n{\n \"name\": \"TER\",\n \"score\": 0.0,") != std::string::npos);
    CHECK(r.out.substr(r.out.size() - 4) == "}\n]\n");
    r = run("eval -r " + f.ref + " -i " + f.hyp1 + " -m ter bleu -f json -b -w 3");
    CHECK(r.out == "[\n14.536,\n0.000\n]\n");
}

TEST_CASE("eval -f json prints sacreBLEU's list of systems for several", "[app][eval]") {
    const Files f;
    auto r = run("eval -r " + f.ref + " -i " + f.hyp1 + " " + f.hyp2 + " -m bleu ter -f json -w 2");
    REQUIRE(r.code == 0);
    // TER: no edit for hyp1 (tercom lowercases), 1 of 7 words for hyp2 (14.29).
    CHECK(r.out == "[\n"
                   "    {\n"
                   "        \"system\": \"modes1.hyp\",\n"
                   "        \"BLEU\": \"14.54\",\n"
                   "        \"TER\": \"0.00\"\n"
                   "    },\n"
                   "    {\n"
                   "        \"system\": \"modes2.hyp\",\n"
                   "        \"BLEU\": \"48.89\",\n"
                   "        \"TER\": \"14.29\"\n"
                   "    }\n"
                   "]\n");
    // Paired tests: each metric is the test's Result, numbers at full precision.
    r = run("eval -r " + f.ref + " -i " + f.hyp1 + " " + f.hyp2 + " -m bleu -f json --paired-ar --paired-ar-n 10");
    REQUIRE(r.code == 0);
    CHECK(r.out.rfind("[\n"
                      "    {\n"
                      "        \"system\": \"Baseline: modes1.hyp\",\n"
                      "        \"BLEU\": {\n"
                      "            \"score\": 14.535768424205482,\n"
                      "            \"p_value\": null,\n"
                      "            \"mean\": null,\n"
                      "            \"ci\": null\n"
                      "        }\n"
                      "    },\n"
                      "    {\n"
                      "        \"system\": \"modes2.hyp\",\n"
                      "        \"BLEU\": {\n"
                      "            \"score\": 48.892302243490086,\n"
                      "            \"p_value\": ",
                      0) == 0);
    CHECK(r.out.find("Metric signatures") == std::string::npos);
    r = run("eval -r " + f.ref + " -i " + f.hyp1 + " " + f.hyp2 + " -m bleu -f json --paired-bs --paired-bs-n 10");
    CHECK(r.out.find("\"p_value\": null,\n            \"mean\": 1") != std::string::npos);
    CHECK(r.out.find("\"ci\": null") == std::string::npos);
}

TEST_CASE("eval rstrips every line as sacreBLEU's CLI does, and only on the right", "[app][eval]") {
    const std::string ref = write("strip.ref", "the cat sat\nthe dog ran\n");
    // Trailing spaces, tabs, CR and U+3000 go; with --chrf-whitespace they would count.
    const std::string hyp = write("strip.hyp", "the cat sat \t\r\nthe dog ran\xe3\x80\x80\n");
    auto r = run("eval -r " + ref + " -i " + hyp + " -m chrf --chrf-whitespace -b");
    REQUIRE(r.code == 0);
    CHECK(r.out == "100.0\n");
    const std::string lead = write("strip_lead.hyp", "  the cat sat\nthe dog ran\n");
    r = run("eval -r " + ref + " -i " + lead + " -m chrf --chrf-whitespace -b");
    CHECK(r.out != "100.0\n");
    // A whitespace-only reference is no reference: the other stream's counts alone.
    const std::string ref2 = write("strip2.ref", "the cat sat\n \t\n");
    r = run("eval -r " + ref + " " + ref2 + " -i " + hyp + " -m chrf");
    CHECK(r.out.rfind("chrF2|nrefs:var|", 0) == 0);
    // A CR inside a file's line is text: one line here, as open(newline="\n") reads it.
    const std::string cr_ref = write("cr.ref", "a b\rc d\n");
    const std::string cr_hyp = write("cr.hyp", "a b\rc d\n");
    r = run("eval -r " + cr_ref + " -i " + cr_hyp + " -m chrf -b");
    CHECK(r.code == 0);
    CHECK(r.out == "100.0\n");
    // The tokenized-period count looks at rstripped lines (' . ' counts as ' .').
    std::string hyps, refs;
    for (int i = 0; i < 100; ++i) hyps += "a house . \n", refs += "a house.\n";
    r = run("eval -r " + write("tok.ref", refs) + " -i " + write("tok.hyp", hyps) + " -m bleu -b");
    CHECK(r.out.find("tokenized period") != std::string::npos);
}

TEST_CASE("eval reads systems as tab-separated columns on standard input", "[app][eval]") {
    const Files f;
    const std::string cols = write("cols.txt", "The Cat sat on The Mat today\tthe cat sat on a mat today \r\n");
    auto r = run("eval -r " + f.ref + " -m bleu < " + cols);
    REQUIRE(r.code == 0);
    CHECK(r.out.find("│ System 1 │  14.5  │") != std::string::npos);
    CHECK(r.out.find("│ System 2 │  48.9  │") != std::string::npos);
    // The same systems as files give the same scores.
    const auto files = run("eval -r " + f.ref + " -i " + f.hyp1 + " " + f.hyp2 + " -m bleu -f json");
    r = run("eval -r " + f.ref + " -m bleu -f json < " + cols);
    CHECK(r.out.find("\"BLEU\": \"14.5\"") != std::string::npos);
    CHECK(r.out.find("\"BLEU\": \"48.9\"") != std::string::npos);
    CHECK(files.out.find("\"BLEU\": \"48.9\"") != std::string::npos);
    // Paired: "Baseline" (no colon, so sacreBLEU's note names no file), "System 1", ...
    r = run("eval -r " + f.ref + " -m bleu --paired-ar --paired-ar-n 10 < " + cols);
    REQUIRE(r.code == 0);
    CHECK(r.out.find("│ Baseline │") != std::string::npos);
    CHECK(r.out.find("│ System 1 │") != std::string::npos);
    CHECK(r.out.find(" - Each system is pairwise compared to .\n") != std::string::npos);
    // One column is one system; universal newlines split at a lone CR on standard input.
    r = run("eval -r " + f.ref + " -m bleu -b < " + f.hyp1);
    CHECK(r.out == "14.5\n");
    r = run("eval -r " + write("cr1.ref", "a b\rc d\n") + " -m chrf -b < " + write("cr1.hyp", "a b\rc d\n"));
    CHECK(r.code == 2);
    CHECK(r.out.find("has 1 lines but the hypotheses (System 1) have 2") != std::string::npos);
    // Rows of unequal width are refused, naming the line (sacreBLEU: FATAL, exit 17).
    const std::string ragged = write("ragged.txt", "a\tb\nc\n");
    r = run("eval -r " + write("ragged.ref", "a\nc\n") + " < " + ragged);
    CHECK(r.code == 2);
    CHECK(r.out.find("standard input line 2 has 1 tab-separated fields but line 1 has 2") != std::string::npos);
}

TEST_CASE("eval --paired-jobs / -j accepts sacreBLEU's values and changes no result", "[app][eval]") {
    const Files f;
    const std::string hyp3 = write("modes3.hyp", "the cat sat on the mat\n");
    const std::string base =
        "eval -r " + f.ref + " -i " + f.hyp1 + " " + f.hyp2 + " " + hyp3 + " -m bleu chrf --paired-bs --paired-bs-n 50";
    const auto one = run(base);
    REQUIRE(one.code == 0);
    for (const char* jobs : {" -j 0", " -j 2", " --paired-jobs 3", " -j 8"}) {
        INFO(jobs);
        CHECK(run(base + jobs).out == one.out);
    }
    CHECK(run(base + " -j -1").code == 2);
}

TEST_CASE("eval -sl prints one sacreBLEU sentence score per line", "[app][eval]") {
    // Line 2: "the dog" against "the dog": no 3-grams, so effective order 2 gives 100.
    const std::string ref = write("sl.ref", "the cat sat on the mat today\nthe dog\n");
    const std::string hyp = write("sl.hyp", "The Cat sat on The Mat today\nthe dog\n");
    auto r = run("eval -r " + ref + " -i " + hyp + " -sl");
    REQUIRE(r.code == 0);
    CHECK(r.out == "BLEU|nrefs:1|case:mixed|eff:yes|tok:13a|smooth:exp|version:2.4.0 = 14.5 42.9/16.7/10.0/6.2 "
                   "(BP = 1.000 ratio = 1.000 hyp_len = 7 ref_len = 7)\n"
                   "BLEU|nrefs:1|case:mixed|eff:yes|tok:13a|smooth:exp|version:2.4.0 = 100.0 100.0/100.0/0.0/0.0 "
                   "(BP = 1.000 ratio = 1.000 hyp_len = 2 ref_len = 2)\n");
    // -b, and text whatever -f says.
    r = run("eval -r " + ref + " -i " + hyp + " --sentence-level -m chrf -b -f json -w 2");
    CHECK(r.out == "49.58\n100.00\n");  // chrF2 of line 1 by hand in Python: 49.58
    // TER: no edit once lowercased; "a dog" needs 1 of 2.
    const std::string hyp_ter = write("sl_ter.hyp", "The Cat sat on The Mat today\na dog\n");
    r = run("eval -r " + ref + " -i " + hyp_ter + " -sl -m ter");
    CHECK(r.out == "TER|nrefs:1|case:lc|tok:tercom|norm:no|punct:yes|asian:no|version:2.4.0 = 0.0\n"
                   "TER|nrefs:1|case:lc|tok:tercom|norm:no|punct:yes|asian:no|version:2.4.0 = 50.0\n");
    // Each line's signature counts its own references (sentence_score re-caches them).
    const std::string ref2 = write("sl2.ref", "a cat sat on the mat today\n\n");
    r = run("eval -r " + ref + " " + ref2 + " -i " + hyp + " -sl -m chrf");
    CHECK(r.out.rfind("chrF2|nrefs:2|", 0) == 0);
    CHECK(r.out.find("\nchrF2|nrefs:1|") != std::string::npos);
}

TEST_CASE("eval -sl refuses what sacreBLEU's sentence-level mode refuses", "[app][eval]") {
    const Files f;
    auto r = run("eval -r " + f.ref + " -i " + f.hyp1 + " -sl -m bleu chrf");
    CHECK(r.code == 2);
    CHECK(r.out.find("scores one metric") != std::string::npos);
    r = run("eval -r " + f.ref + " -i " + f.hyp1 + " " + f.hyp2 + " -sl");
    CHECK(r.code == 2);
    CHECK(r.out.find("scores one system") != std::string::npos);
    r = run("eval -r " + f.ref + " -i " + f.hyp1 + " -sl --confidence");
    CHECK(r.code == 2);
    CHECK(r.out.find("statistical tests are unavailable in sentence-level mode") != std::string::npos);
}
