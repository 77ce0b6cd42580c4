// sacreBLEU's text reports (results_report.h), following utils.py and tabulate 0.8/0.9.
#include "src/eval/results_report.h"

#include <algorithm>

#include "src/eval/unicode_text.h"

namespace deepnet::eval {

namespace {

std::size_t width(const std::string& s) {
    std::u32string cps;
    return decode_utf8(s, cps) ? cps.size() : s.size();
}

std::string spaces(std::size_t n) { return std::string(n, ' '); }

// Python's f"{s:>w}" and f"{s:^w}" (the odd space goes right).
std::string pad_left(const std::string& s, std::size_t w) {
    const std::size_t n = width(s);
    return n >= w ? s : spaces(w - n) + s;
}
std::string pad_center(const std::string& s, std::size_t w) {
    const std::size_t n = width(s);
    if (n >= w) return s;
    const std::size_t left = (w - n) / 2;
    return spaces(left) + s + spaces(w - n - left);
}

std::vector<std::string> split_lines(const std::string& s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < s.size()) {
        const std::size_t nl = s.find('\n', start);
        if (nl == std::string::npos) {
            out.push_back(s.substr(start));
            break;
        }
        out.push_back(s.substr(start, nl - start));
        start = nl + 1;
    }
    return out;  // str.splitlines(): no trailing empty line, [] for ""
}

std::string strip(const std::string& s) {  // str.strip(): Python's whitespace, both ends
    std::u32string cps;
    if (!decode_utf8(s, cps)) return s;
    std::size_t b = 0, e = cps.size();
    while (b < e && is_py_space(cps[b])) ++b;
    while (e > b && is_py_space(cps[e - 1])) --e;
    return encode_utf8(std::u32string_view(cps).substr(b, e - b));
}

// tabulate's LATEX_ESCAPE_RULES, applied code point by code point (_latex_row).
std::string latex_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&': out += "\\&"; break;
            case '%': out += "\\%"; break;
            case '$': out += "\\$"; break;
            case '#': out += "\\#"; break;
            case '_': out += "\\_"; break;
            case '^': out += "\\^{}"; break;
            case '{': out += "\\{"; break;
            case '}': out += "\\}"; break;
            case '~': out += "\\textasciitilde{}"; break;
            case '\\': out += "\\textbackslash{}"; break;
            case '<': out += "\\ensuremath{<}"; break;
            case '>': out += "\\ensuremath{>}"; break;
            default: out += c;  // UTF-8 continuation bytes are never ASCII: code points stay whole
        }
    }
    return out;
}

std::string repeat(const std::string& unit, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += unit;
    return out;
}

// tabulate's columns: "System" then each metric's, every cell strip()ped, each column as
// wide as its widest cell (per line when multiline) and at least its header plus
// MIN_PADDING (2).
struct PreparedTable {
    std::vector<std::string> headers;
    std::vector<std::vector<std::string>> cols;
    std::vector<std::size_t> widths;
};

PreparedTable prepare_table(const std::vector<std::string>& systems, const std::vector<TableColumn>& columns,
                            bool multiline) {
    PreparedTable t{{"System"}, {systems}, {}};
    for (const TableColumn& c : columns) {
        t.headers.push_back(c.header);
        t.cols.push_back(c.cells);
    }
    for (std::size_t c = 0; c < t.cols.size(); ++c) {
        std::size_t w = width(t.headers[c]) + 2;
        for (std::string& cell : t.cols[c]) {
            cell = strip(cell);
            if (multiline)
                for (const std::string& l : split_lines(cell)) w = std::max(w, width(l));
            else
                w = std::max(w, width(cell));
        }
        t.widths.push_back(w);
    }
    return t;
}

}  // namespace

std::string align_single_results(const std::vector<std::string>& lines) {
    if (lines.size() == 1) return lines[0] + "\n";
    std::string out;
    std::vector<std::pair<std::size_t, std::string>> aligned;  // (code points before " =", line)
    std::size_t w = 0;
    for (const std::string& line : lines) {
        const std::size_t eq = line.find('=');
        if (eq == std::string::npos) {
            out += line + "\n";
            continue;
        }
        const std::size_t left = width(line.substr(0, eq)) - 1;  // line.index('=') - 1
        aligned.emplace_back(left, line);
        w = std::max(w, left);
    }
    for (const auto& [left, line] : aligned) {
        // left is counted in code points; split the UTF-8 line at the same place.
        std::u32string cps;
        decode_utf8(line, cps);
        const std::string head = encode_utf8(std::u32string_view(cps).substr(0, left));
        const std::string tail = encode_utf8(std::u32string_view(cps).substr(left));
        out += pad_left(head, w) + tail + "\n";
    }
    return out;
}

std::string fancy_grid(const std::vector<std::string>& systems, const std::vector<TableColumn>& columns) {
    // Column widths: the widest line of any cell, at least the header plus 2.
    PreparedTable t = prepare_table(systems, columns, /*multiline=*/true);
    const auto& headers = t.headers;
    const auto& cols = t.cols;
    const auto& widths = t.widths;
    auto align = [&](std::size_t c, const std::string& s) {
        return c == 0 ? pad_left(s, widths[c]) : pad_center(s, widths[c]);
    };
    auto rule = [&](const char* begin, const char* fill, const char* sep, const char* end) {
        std::string line = begin;
        for (std::size_t c = 0; c < widths.size(); ++c) {
            if (c > 0) line += sep;
            line += repeat(fill, widths[c] + 2);
        }
        return line + end + "\n";
    };
    // One table row; multi-line cells make several text lines, short cells padded.
    auto row = [&](const std::vector<std::string>& cells) {
        std::vector<std::vector<std::string>> lines;
        std::size_t n = 1;
        for (std::size_t c = 0; c < cells.size(); ++c) {
            std::vector<std::string> ls;
            for (const std::string& l : split_lines(cells[c])) ls.push_back(align(c, l));
            n = std::max(n, ls.size());
            lines.push_back(std::move(ls));
        }
        std::string out;
        for (std::size_t i = 0; i < n; ++i) {
            std::string text = "│";
            for (std::size_t c = 0; c < cells.size(); ++c) {
                if (c > 0) text += "│";
                text += " " + (i < lines[c].size() ? lines[c][i] : spaces(widths[c])) + " ";
            }
            out += text + "│\n";
        }
        return out;
    };
    std::string out = rule("╒", "═", "╤", "╕");
    out += row(headers);
    out += rule("╞", "═", "╪", "╡");
    for (std::size_t r = 0; r < systems.size(); ++r) {
        std::vector<std::string> cells;
        for (const auto& col : cols) cells.push_back(col[r]);
        out += row(cells);
        out += r + 1 < systems.size() ? rule("├", "─", "┼", "┤") : rule("╘", "═", "╧", "╛");
    }
    return out;
}

std::string latex_booktabs(const std::vector<std::string>& systems, const std::vector<TableColumn>& columns) {
    // minwidths = header + MIN_PADDING (2); _align_column strips and widens to the widest cell.
    PreparedTable t = prepare_table(systems, columns, /*multiline=*/false);
    const auto& headers = t.headers;
    const auto& cols = t.cols;
    const auto& widths = t.widths;
    // colalign=('right',) for the systems; every other column is centred (stralign and
    // numalign 'center'); headers are aligned the same way, unstripped.
    auto align = [&](std::size_t c, const std::string& s) {
        return c == 0 ? pad_left(s, widths[c]) : pad_center(s, widths[c]);
    };
    // _latex_row: _pad_row adds one space either side, then escape, DataRow("", "&", "\\\\"),
    // and _build_simple_row's rstrip() (a no-op after "\\\\").
    auto row = [&](const std::vector<std::string>& cells) {
        std::string line;
        for (std::size_t c = 0; c < cells.size(); ++c) {
            if (c > 0) line += "&";
            line += latex_escape(" " + align(c, cells[c]) + " ");
        }
        return line + "\\\\\n";
    };
    // _latex_line_begin_tabular(booktabs=True): {"right": "r", "center": "c"}.
    std::string out = "\\begin{tabular}{r" + std::string(columns.size(), 'c') + "}\n\\toprule\n";
    out += row(headers);
    out += "\\midrule\n";
    for (std::size_t r = 0; r < systems.size(); ++r) {
        std::vector<std::string> cells;
        for (const auto& col : cols) cells.push_back(col[r]);
        out += row(cells);
    }
    return out + "\\bottomrule\n\\end{tabular}\n";
}

std::string results_report(const std::vector<std::string>& systems,
                           const std::vector<TableColumn>& columns,
                           const std::optional<PairedNote>& paired,
                           const std::vector<std::pair<std::string, std::string>>& signatures,
                           TableStyle style) {
    // print(table); print()
    std::string out = (style == TableStyle::LatexBooktabs ? latex_booktabs(systems, columns)
                                                          : fancy_grid(systems, columns)) + "\n";
    if (paired) {
        const std::string msg = std::string("Paired ") +
                                (paired->bootstrap ? "bootstrap resampling" : "approximate randomization") +
                                " test with " + std::to_string(paired->n_samples) + " " +
                                (paired->bootstrap ? "resampling trials" : "trials");
        const std::string dashes(msg.size(), '-');
        out += dashes + "\n" + msg + "\n" + dashes + "\n";
        out += " - Each system is pairwise compared to " + paired->baseline + ".\n";
        out += paired->bootstrap
                   ? "   Actual system score / bootstrap estimated true mean / 95% CI are provided for each metric.\n"
                   : "   Actual system score is provided for each metric.\n";
        out += "\n"
               " - Null hypothesis: the system and the baseline translations are essentially\n"
               "   generated by the same underlying process. For a given system and the baseline,\n"
               "   the p-value is roughly the probability of the absolute score difference (delta)\n"
               "   or higher occurring due to chance, under the assumption that the null hypothesis is correct.\n"
               "\n"
               " - Assuming a significance threshold of 0.05, the null hypothesis can be rejected\n"
               "   for p-values < 0.05 (marked with \"*\"). This means that the delta is unlikely to be attributed\n"
               "   to chance, hence the system is significantly \"different\" than the baseline.\n"
               "   Otherwise, the p-values are highlighted in red.\n"
               "\n"
               " - NOTE: Significance does not tell whether a system is \"better\" than the baseline but rather\n"
               "   emphasizes the \"difference\" of the systems in terms of the replicability of the delta.\n"
               "\n";
    }
    out += "-----------------\nMetric signatures\n-----------------\n";
    for (const auto& [name, sig] : signatures) {
        std::string padded = name;
        if (width(padded) < 10) padded += spaces(10 - width(padded));
        out += " - " + padded + " " + sig + "\n";
    }
    return out;
}

}  // namespace deepnet::eval
