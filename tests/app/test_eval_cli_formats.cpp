// `deepnet eval` with sacreBLEU 2.x's -nr/--num-refs, --short, -f latex, SACREBLEU_FORMAT
// and its plain-UTF-8 reading of files (a byte order mark is text). Expected strings come
// from mjpost/sacrebleu's code read line by line: sacrebleu.py (parse_args and main(); the
// stored version at commit 078c440168c6adc89ba75fe6d63f0d922d42bcfe and a later 2.2+ one
// with the same code for these options), utils.py (smart_open, print_single_results,
// print_results_table), metrics/base.py (Signature.format), metrics/{bleu,chrf,ter}.py (the
// signatures' _abbr tables), and tabulate 0.8.10's latex_booktabs; BLEU values by hand.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "eval_cli_support.h"

namespace {

const std::string& work_dir() {
    static const std::string dir = deepnet::test::make_eval_work_dir("eval_cli_formats");
    return dir;
}

std::string write(const std::string& name, const std::string& text) {
    return deepnet::test::write_in(work_dir(), name, text);
}

deepnet::test::Run run(const std::string& args, const std::string& env = "") {
    return deepnet::test::run_eval_in(work_dir(), args, env);
}

// "The Cat sat on The Mat today" against "the cat sat on the mat today": BLEU 14.5
// (42.9/16.7/10.0/6.2, see test_eval_cli.cpp), chrF2 49.6, TER 0.0 (tercom lowercases);
// "the cat sat on a mat today": BLEU 48.9, TER 14.3 (1 edit in 7).
struct Files {
    std::string ref = write("fmt.ref", "the cat sat on the mat today\n");
    std::string hyp1 = write("f_1.hyp", "The Cat sat on The Mat today\n");
    std::string hyp2 = write("f2.hyp", "the cat sat on a mat today\n");
};

const char* const kBleuLine = " = 14.5 42.9/16.7/10.0/6.2 (BP = 1.000 ratio = 1.000 hyp_len = 7 ref_len = 7)\n";

}  // namespace

TEST_CASE("eval -nr N reads N tab-separated references per line of one file", "[app][eval]") {
    // maxsplit = N - 1: the second reference of line 2 keeps its tab ("the dog ran away\tfast").
    const std::string tabbed = write("nr.ref", "the cat sat on the mat today\ta cat sat on a mat today\n"
                                               "the dog ran home\tthe dog ran away\tfast\n");
    const std::string r1 = write("nr1.ref", "the cat sat on the mat today\nthe dog ran home\n");
    const std::string r2 = write("nr2.ref", "a cat sat on a mat today\nthe dog ran away\tfast\n");
    const std::string hyp = write("nr.hyp", "The Cat sat on The Mat today\nthe dog ran away fast\n");
    const auto two_files = run("eval -r " + r1 + " " + r2 + " -i " + hyp + " -m bleu chrf ter");
    REQUIRE(two_files.code == 0);
    CHECK(two_files.out.find("BLEU|nrefs:2|") != std::string::npos);
    for (const char* flag : {" -nr 2", " --num-refs 2"}) {
        INFO(flag);
        const auto r = run("eval -r " + tabbed + " -i " + hyp + " -m bleu chrf ter" + flag);
        CHECK(r.code == 0);
        CHECK(r.out == two_files.out);
    }
    // Sentence level: each line's signature counts its references.
    auto r = run("eval -r " + tabbed + " -i " + hyp + " -nr 2 -sl -m chrf");
    CHECK(r.out.rfind("chrF2|nrefs:2|", 0) == 0);
    // An empty field is "no reference here": nrefs:var, as with an empty line of a file.
    const std::string holes = write("holes.ref", "the cat sat on the mat today\ta cat sat on a mat today\n"
                                                 "\tthe dog ran away\n");
    r = run("eval -r " + holes + " -i " + hyp + " -nr 2 -m bleu");
    CHECK(r.code == 0);
    CHECK(r.out.rfind("BLEU|nrefs:var|", 0) == 0);
}

TEST_CASE("eval -nr refuses what sacreBLEU refuses", "[app][eval]") {
    const std::string hyp = write("nrbad.hyp", "a b\nc d\n");
    // "FATAL: line {lineno}: expected {N} fields, but found {K}." (sacreBLEU exits with 17).
    // The line is rstrip()ped before the split, so a trailing tab adds no field.
    auto r = run("eval -r " + write("nrbad.ref", "a b\tb a\nc d\t\n") + " -i " + hyp + " -nr 2");
    CHECK(r.code == 2);
    CHECK(r.out.find("nrbad.ref: line 2: expected 2 fields, but found 1.") != std::string::npos);
    r = run("eval -r " + write("nrbad3.ref", "a b\tb a\nc d\td c\n") + " -i " + hyp + " -nr 3");
    CHECK(r.code == 2);
    CHECK(r.out.find("line 1: expected 3 fields, but found 2.") != std::string::npos);
    // --num-refs with several reference files (sacreBLEU: three error lines, exit 1).
    r = run("eval -r nrbad.ref nrbad3.ref -i " + hyp + " -nr 2");
    CHECK(r.code == 2);
    CHECK(r.out.find("The --num-refs argument allows you to provide any number of tab-delimited references "
                     "in a single file.") != std::string::npos);
    CHECK(r.out.find("and you cannot then provide multiple reference files.") != std::string::npos);
}

TEST_CASE("eval --short prints sacreBLEU's abbreviated signatures", "[app][eval]") {
    const Files f;
    auto r = run("eval -r " + f.ref + " -i " + f.hyp1 + " -m bleu --short");
    REQUIRE(r.code == 0);
    CHECK(r.out == std::string("BLEU|#:1|c:mixed|e:no|tok:13a|s:exp|v:2.4.0") + kBleuLine);
    // -sh; lines still right-aligned on '=' (chrF2's left part is 46 code points, TER's 48).
    r = run("eval -r " + f.ref + " -i " + f.hyp1 + " -m ter chrf -sh");
    CHECK(r.out == "  chrF2|#:1|c:mixed|e:yes|nc:6|nw:0|s:no|v:2.4.0 = 49.6\n"
                   "TER|#:1|c:lc|t:tercom|nr:no|pn:yes|as:no|v:2.4.0 = 0.0\n");
    // sentence_score(...).format(..., metric.get_signature().format(args.short))
    r = run("eval -r " + f.ref + " -i " + f.hyp1 + " -sl --short");
    CHECK(r.out == std::string("BLEU|#:1|c:mixed|e:yes|tok:13a|s:exp|v:2.4.0") + kBleuLine);
    // --confidence: bs and seed (rs) after nrefs.
    r = run("eval -r " + f.ref + " -i " + f.hyp1 + " -m bleu --short --confidence -cin 20");
    CHECK(r.out.rfind("BLEU|#:1|bs:20|rs:12345|c:mixed|e:no|tok:13a|s:exp|v:2.4.0 = 14.5", 0) == 0);
    // One system in JSON keeps the long form: format(args.short if args.format != 'json' else False).
    r = run("eval -r " + f.ref + " -i " + f.hyp1 + " -m bleu --short -f json");
    CHECK(r.out.find("\"signature\": \"nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.4.0\"") !=
          std::string::npos);
    CHECK(r.out.find("\"nrefs\": \"1\"") != std::string::npos);
    // Several systems: the signature list below the table.
    r = run("eval -r " + f.ref + " -i " + f.hyp1 + " " + f.hyp2 + " -m bleu ter --short");
    CHECK(r.out.find("\n - BLEU       #:1|c:mixed|e:no|tok:13a|s:exp|v:2.4.0\n"
                     " - TER        #:1|c:lc|t:tercom|nr:no|pn:yes|as:no|v:2.4.0\n") != std::string::npos);
    r = run("eval -r " + f.ref + " -i " + f.hyp1 + " " + f.hyp2 + " -m bleu --short --paired-ar -parn 10");
    CHECK(r.out.find("\n - BLEU       #:1|ar:10|rs:12345|c:mixed|e:no|tok:13a|s:exp|v:2.4.0\n") != std::string::npos);
}

TEST_CASE("eval -f latex prints sacreBLEU's booktabs table for several systems", "[app][eval]") {
    const Files f;
    auto r = run("eval -r " + f.ref + " -i " + f.hyp1 + " " + f.hyp2 + " -m bleu ter -f latex");
    REQUIRE(r.code == 0);
    // Widths 8 (System), 6 (BLEU), 5 (TER); "14.3" centred in 5 leaves its odd space right;
    // "_" escaped after padding.
    CHECK(r.out == "\\begin{tabular}{rcc}\n"
                   "\\toprule\n"
                   "   System &  BLEU  &  TER  \\\\\n"
                   "\\midrule\n"
                   "  f\\_1.hyp &  14.5  &  0.0  \\\\\n"
                   "   f2.hyp &  48.9  & 14.3  \\\\\n"
                   "\\bottomrule\n"
                   "\\end{tabular}\n"
                   "\n"
                   "-----------------\n"
                   "Metric signatures\n"
                   "-----------------\n"
                   " - BLEU       nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.4.0\n"
                   " - TER        nrefs:1|case:lc|tok:tercom|norm:no|punct:yes|asian:no|version:2.4.0\n");
    // Paired tests: the p-value follows the score after a space (multiline=False).
    r = run("eval -r " + f.ref + " -i " + f.hyp1 + " " + f.hyp2 + " -m bleu -f latex --paired-ar -parn 10");
    REQUIRE(r.code == 0);
    CHECK(r.out.find(" Baseline: f\\_1.hyp & ") != std::string::npos);
    CHECK(r.out.find("       f2.hyp & 48.9 (p = 0.") != std::string::npos);
    CHECK(r.out.find("Paired approximate randomization test with 10 trials") != std::string::npos);
    r = run("eval -r " + f.ref + " -i " + f.hyp1 + " " + f.hyp2 + " -m bleu -f latex --paired-bs -pbsn 10");
    CHECK(r.out.find("BLEU (μ ± 95\\% CI)") != std::string::npos);
    // One system: print_single_results prints the text line; -sl is text whatever -f says.
    const auto text = run("eval -r " + f.ref + " -i " + f.hyp1 + " -m bleu");
    r = run("eval -r " + f.ref + " -i " + f.hyp1 + " -m bleu -f latex");
    CHECK(r.code == 0);
    CHECK(r.out == text.out);
    r = run("eval -r " + f.ref + " -i " + f.hyp1 + " -sl -f latex");
    CHECK(r.out == std::string("BLEU|nrefs:1|case:mixed|eff:yes|tok:13a|smooth:exp|version:2.4.0") + kBleuLine);
}

TEST_CASE("eval reads SACREBLEU_FORMAT as sacreBLEU does: it overrides -f", "[app][eval]") {
    const Files f;
    const std::string one = "eval -r " + f.ref + " -i " + f.hyp1 + " -m bleu";
    const std::string two = "eval -r " + f.ref + " -i " + f.hyp1 + " " + f.hyp2 + " -m bleu";
    const auto text = run(one);
    const auto json = run(one + " -f json");
    REQUIRE(json.out.rfind("{\n \"name\": \"BLEU\",", 0) == 0);
    CHECK(run(one, "SACREBLEU_FORMAT=json").out == json.out);
    CHECK(run(one + " -f text", "SACREBLEU_FORMAT=JSON").out == json.out);  // .lower(), and it wins
    CHECK(run(one + " -f json", "SACREBLEU_FORMAT=text").out == text.out);
    CHECK(run(one + " -f json", "SACREBLEU_FORMAT=html").out == json.out);  // not a format: ignored
    CHECK(run(one, "SACREBLEU_FORMAT=").out == text.out);
    CHECK(run(one, "SACREBLEU_FORMAT=latex").out == text.out);              // one system: text
    CHECK(run(two, "SACREBLEU_FORMAT=Latex").out == run(two + " -f latex").out);
    CHECK(run(two, "SACREBLEU_FORMAT=Latex").out.rfind("\\begin{tabular}{rc}\n", 0) == 0);
}

TEST_CASE("eval keeps a byte order mark as sacreBLEU's utf-8 reading does", "[app][eval]") {
    // open(..., encoding='utf-8') keeps U+FEFF: "\ufeffthe" is a word of its own. Against
    // "the cat sat on the mat": 1-grams 5/6 (one "the" left), 2-grams 4/5, 3-grams 3/4,
    // 4-grams 2/3, BLEU = (1/3)^(1/4) = 75.98.
    const std::string bom_ref = write("bom.ref", "\xef\xbb\xbfthe cat sat on the mat\n");
    const std::string hyp = write("bom.hyp", "the cat sat on the mat\n");
    const std::string bom_hyp = write("bom2.hyp", "\xef\xbb\xbfthe cat sat on the mat\n");
    auto r = run("eval -r " + bom_ref + " -i " + hyp + " -m bleu");
    REQUIRE(r.code == 0);
    CHECK(r.out == "BLEU|nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.4.0 = 76.0 "
                   "83.3/80.0/75.0/66.7 (BP = 1.000 ratio = 1.000 hyp_len = 6 ref_len = 6)\n");
    r = run("eval -r " + bom_ref + " -i " + bom_hyp + " -m bleu -b");
    CHECK(r.out == "100.0\n");
    r = run("eval -r " + write("nobom.ref", "the cat sat on the mat\n") + " -i " + bom_hyp + " -m bleu -b");
    CHECK(r.out == "76.0\n");
    // Standard input (io.TextIOWrapper(sys.stdin.buffer, encoding='utf-8')) keeps it too.
    r = run("eval -r " + bom_ref + " -m bleu -b < " + bom_hyp);
    CHECK(r.out == "100.0\n");
    r = run("eval -r " + bom_ref + " -m bleu -b < " + hyp);
    CHECK(r.out == "76.0\n");
}
