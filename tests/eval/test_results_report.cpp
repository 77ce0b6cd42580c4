// sacreBLEU's --short signatures and its -f latex table, with expected strings worked out
// line by line from the code that prints them:
//   - mjpost/sacrebleu metrics/base.py Signature (commit 078c440168c6adc89ba75fe6d63f0d922d42bcfe,
//     the same class in the later stored 2.x versions): self._abbr and format(short=True);
//     metrics/bleu.py BLEUSignature, chrf.py CHRFSignature, ter.py TERSignature (2.2+
//     versions in the store) for each metric's _abbr.update({...});
//   - utils.py print_results_table (the stored version with the multi-system JSON):
//     tablefmt 'latex' -> 'latex_booktabs', _format_score_lines(multiline=False), then
//     tabulate(new_dict, headers='keys', tablefmt=..., colalign=('right',),
//     stralign='center', numalign='center'); print(table); print(); ...;
//   - tabulate 0.8.10 (astanin/python-tabulate tabulate.py, the same latex code as 0.8.9):
//     _latex_line_begin_tabular(booktabs=True), _latex_row with LATEX_ESCAPE_RULES after
//     _pad_row, DataRow("", "&", "\\\\"), MIN_PADDING 2, _align_column's strip().
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "src/eval/metric_spec.h"
#include "src/eval/results_report.h"

using namespace deepnet::eval;

TEST_CASE("short_signature abbreviates keys with each metric's _abbr table", "[eval]") {
    MetricSpec bleu;
    bleu.kind = MetricKind::Bleu;
    CHECK(short_signature(bleu, metric_signature(bleu, 1)) == "#:1|c:mixed|e:no|tok:13a|s:exp|v:2.4.0");
    // 'bs' stays 'bs', 'seed' becomes 'rs'; values (var, floor[0.10]) are kept.
    CHECK(short_signature(bleu, "nrefs:var|bs:1000|seed:12345|case:lc|eff:yes|tok:intl|smooth:floor[0.10]|"
                                "version:2.4.0") == "#:var|bs:1000|rs:12345|c:lc|e:yes|tok:intl|s:floor[0.10]|v:2.4.0");
    MetricSpec chrf;
    chrf.kind = MetricKind::Chrf;
    chrf.chrf.word_order = 2;
    CHECK(short_signature(chrf, metric_signature(chrf, 2)) == "#:2|c:mixed|e:yes|nc:6|nw:2|s:no|v:2.4.0");
    MetricSpec ter;
    ter.kind = MetricKind::Ter;
    CHECK(short_signature(ter, metric_signature(ter, 1, "ar:10000|seed:1")) ==
          "#:1|ar:10000|rs:1|c:lc|t:tercom|nr:no|pn:yes|as:no|v:2.4.0");
}

TEST_CASE("latex_booktabs is tabulate's latex_booktabs of sacreBLEU's table", "[eval]") {
    // System column 8 wide ("System" + 2), right-aligned; BLEU 6 wide, centred; one space
    // either side of each cell; the escapes come after the padding, so escaped names stick out.
    const std::vector<std::string> systems{"a&b_c", "x~y", "{$#^%}", "p\\q<r>"};
    const std::vector<TableColumn> columns{{"BLEU", {"10.0", "20.0", "30.0", "40.0"}}};
    CHECK(latex_booktabs(systems, columns) ==
          "\\begin{tabular}{rc}\n"
          "\\toprule\n"
          "   System &  BLEU  \\\\\n"
          "\\midrule\n"
          "    a\\&b\\_c &  10.0  \\\\\n"
          "      x\\textasciitilde{}y &  20.0  \\\\\n"
          "   \\{\\$\\#\\^{}\\%\\} &  30.0  \\\\\n"
          "   p\\textbackslash{}q\\ensuremath{<}r\\ensuremath{>} &  40.0  \\\\\n"
          "\\bottomrule\n"
          "\\end{tabular}\n");
}

TEST_CASE("results_report in LaTeX: booktabs table, blank line, note and signatures", "[eval]") {
    // Paired bootstrap cells as _format_score_lines writes them with multiline=False: the
    // p-value after a space. Column widths: 18 ("Baseline: base.txt"), 31 (the longest cell;
    // the header "BLEU (μ ± 95% CI)" is 17 code points, centred with 7 spaces each side).
    const std::vector<std::string> systems{"Baseline: base.txt", "sys.txt"};
    const std::vector<TableColumn> columns{
        {"BLEU (μ ± 95% CI)", {"14.5 (14.5 ± 0.0)", "48.9 (48.9 ± 0.0) (p = 0.0476)*"}}};
    const std::string out = results_report(systems, columns, PairedNote{true, 20, "Baseline: base.txt"},
                                           {{"BLEU", "#:1|bs:20|rs:12345|c:mixed|e:no|tok:13a|s:exp|v:2.4.0"}},
                                           TableStyle::LatexBooktabs);
    const std::string table =
        "\\begin{tabular}{rc}\n"
        "\\toprule\n"
        "             System &        BLEU (μ ± 95\\% CI)        \\\\\n"
        "\\midrule\n"
        " Baseline: base.txt &        14.5 (14.5 ± 0.0)        \\\\\n"
        "            sys.txt & 48.9 (48.9 ± 0.0) (p = 0.0476)* \\\\\n"
        "\\bottomrule\n"
        "\\end{tabular}\n"
        "\n"
        "----------------------------------------------------------\n"
        "Paired bootstrap resampling test with 20 resampling trials\n";
    CHECK(out.substr(0, table.size()) == table);
    CHECK(out.find(" - Each system is pairwise compared to Baseline: base.txt.\n") != std::string::npos);
    const std::string tail = "-----------------\nMetric signatures\n-----------------\n"
                             " - BLEU       #:1|bs:20|rs:12345|c:mixed|e:no|tok:13a|s:exp|v:2.4.0\n";
    CHECK(out.substr(out.size() - tail.size()) == tail);
    // The same report as text keeps fancy_grid.
    const std::string text = results_report(systems, columns, std::nullopt, {}, TableStyle::FancyGrid);
    CHECK(text.rfind("╒", 0) == 0);
}
