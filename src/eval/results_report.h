// sacreBLEU 2.x's text reports (utils.py): the '='-aligned lines of single-system mode
// (print_single_results) and the multi-system table (print_results_table), a tabulate
// "fancy_grid" with the system column right-aligned and the score columns centred, plus
// the paired-test explanation and the signature list. Widths count code points, as
// tabulate does without the optional wcwidth package. Output is uncoloured, as sacreBLEU's
// is when it does not write to a terminal. With -f latex the table is tabulate's
// "latex_booktabs" instead (print_results_table: tablefmt 'latex' -> 'latex_booktabs').
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace deepnet::eval {

// print_single_results for the text format: lines without '=' as they come, then the
// others right-aligned on their first '='.
std::string align_single_results(const std::vector<std::string>& lines);

struct TableColumn {
    std::string header;             // "BLEU", "chrF2 (μ ± 95% CI)"
    std::vector<std::string> cells;  // one per system; '\n' splits a cell's lines
};

// tabulate(..., tablefmt='fancy_grid', colalign=('right',), stralign='center') for the
// column of system names followed by the score columns; ends with a newline.
std::string fancy_grid(const std::vector<std::string>& systems,
                       const std::vector<TableColumn>& columns);

// tabulate(..., tablefmt='latex_booktabs', colalign=('right',), stralign='center',
// numalign='center') (tabulate 0.8.9/0.8.10): "\begin{tabular}{rc...}", "\toprule", the
// header row, "\midrule", one row per system, "\bottomrule", "\end{tabular}". Cells are
// stripped and padded as for fancy_grid (width: the widest cell, at least header + 2), one
// space either side, joined by '&', ended by "\\"; LaTeX's special characters (& % $ # _ ^
// { } ~ \ < >) are escaped after padding, so escaped cells are wider than their column.
// Cells are single lines (the p-value follows the score after a space). Ends with a newline.
std::string latex_booktabs(const std::vector<std::string>& systems,
                           const std::vector<TableColumn>& columns);

enum class TableStyle { FancyGrid, LatexBooktabs };

struct PairedNote {
    bool bootstrap = true;  // false: approximate randomization
    int n_samples = 0;
    std::string baseline;   // "Baseline: base.txt"
};

// The whole multi-system report: table, blank line, paired-test explanation (when
// `paired`), "Metric signatures" and one " - NAME       signature" line per metric.
std::string results_report(const std::vector<std::string>& systems,
                           const std::vector<TableColumn>& columns,
                           const std::optional<PairedNote>& paired,
                           const std::vector<std::pair<std::string, std::string>>& signatures,
                           TableStyle style = TableStyle::FancyGrid);

}  // namespace deepnet::eval
