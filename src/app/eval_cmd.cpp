// `deepnet eval`: corpus BLEU, chrF and TER of one or more systems against references,
// sacreBLEU 2.x compatible: scores, signatures, -b, JSON, --confidence, and for several
// systems (-i a b c) the score table with --paired-bs / --paired-ar tests against the first.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <optional>

#include "src/app/app_common.h"
#include "src/app/commands.h"
#include "src/config/command_line.h"
#include "src/core/error.h"
#include "src/core/log.h"
#include "src/data/text_reader.h"
#include "src/eval/metric_input.h"
#include "src/eval/metric_spec.h"
#include "src/eval/results_report.h"
#include "src/eval/significance.h"

namespace deepnet {
namespace {

std::vector<std::string> read_stdin_lines() {
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(std::cin, line)) lines.push_back(line);
    return lines;
}

std::string json_string(const std::string& s) {
    std::string o = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') o += '\\';
        o += c;
    }
    return o + "\"";
}

// sacreBLEU's warning (BLEU only, silenced by --force): 100 or more hypotheses that end in
// " ." look tokenized, and tokenized input lowers BLEU.
void warn_if_tokenized(const std::vector<std::string>& hyps) {
    int64_t count = 0;
    for (const std::string& h : hyps)
        if (h.size() >= 2 && h.compare(h.size() - 2, 2, " .") == 0) ++count;
    if (count < 100) return;
    log::warn(std::to_string(count) + " hypotheses end in a tokenized period (' .'): it looks like the "
              "output is not detokenized, which lowers BLEU; use --force if it is what you mean");
}

struct System {
    std::string name;  // the file name as given ("Baseline: " added for paired tests)
    std::vector<std::string> lines;
};

// -m in sacreBLEU's order: given order for paired tests (its PairedTest keeps the dict's
// insertion order), sorted by name (BLEU, CHRF, TER) otherwise; repeats dropped.
std::vector<eval::MetricSpec> metric_specs(const ResolvedOptions& opts, bool paired) {
    std::vector<std::string> names;
    for (const std::string& m : opts.get<std::vector<std::string>>("metrics"))
        if (std::find(names.begin(), names.end(), m) == names.end()) names.push_back(m);
    if (!paired) std::sort(names.begin(), names.end());
    const bool lower = opts.get<bool>("lowercase");
    std::vector<eval::MetricSpec> specs;
    for (const std::string& m : names) {
        eval::MetricSpec s;
        if (m == "bleu") {
            s.kind = eval::MetricKind::Bleu;
            s.bleu.tokenizer = eval::parse_tokenizer(opts.get<std::string>("tokenize"));
            s.bleu.smooth = eval::parse_bleu_smooth(opts.get<std::string>("smooth-method"));
            s.bleu.smooth_value = opts.get<std::optional<double>>("smooth-value");
            s.bleu.lowercase = lower;
        } else if (m == "chrf") {
            s.kind = eval::MetricKind::Chrf;
            s.chrf.char_order = int(opts.get<int64_t>("chrf-char-order"));
            s.chrf.word_order = int(opts.get<int64_t>("chrf-word-order"));
            s.chrf.beta = int(opts.get<int64_t>("chrf-beta"));
            s.chrf.whitespace = opts.get<bool>("chrf-whitespace");
            s.chrf.eps_smoothing = opts.get<bool>("chrf-eps-smoothing");
            s.chrf.lowercase = opts.get<bool>("chrf-lowercase");
        } else {
            s.kind = eval::MetricKind::Ter;
            s.ter.case_sensitive = opts.get<bool>("ter-case-sensitive");
            s.ter.normalized = opts.get<bool>("ter-normalized");
            s.ter.no_punct = opts.get<bool>("ter-no-punct");
            s.ter.asian_support = opts.get<bool>("ter-asian-support");
        }
        specs.push_back(s);
    }
    return specs;
}

std::vector<System> read_systems(const std::vector<std::string>& files, bool paired) {
    std::vector<System> systems;
    if (files.empty()) return {{"standard input", read_stdin_lines()}};
    for (const std::string& f : files) {
        const bool seen = std::any_of(systems.begin(), systems.end(), [&](const System& s) { return s.name == f; });
        if (seen && paired && f == systems[0].name) {
            log::info("Ignoring '" + f + "' as it was also given as the baseline.");
            continue;
        }
        DEEPNET_USER_CHECK(!seen, "hypothesis file " << f << " is given twice to -i: name each system once");
        systems.push_back({f, read_lines(f)});
    }
    return systems;
}

// One system, each metric on one line (sacreBLEU's print_single_results), or JSON.
void print_single(const std::vector<eval::MetricSpec>& specs, const System& sys,
                  const std::vector<std::vector<std::string>>& refs, const ResolvedOptions& opts) {
    const int width = int(opts.get<int64_t>("width"));
    const bool json = opts.get<std::string>("format") == "json";
    const bool only = opts.get<bool>("score-only");
    const bool confidence = opts.get<bool>("confidence");
    const int n_boot = int(opts.get<int64_t>("confidence-n"));
    const eval::TestSeed seed = confidence ? eval::test_seed_from_env() : eval::TestSeed{};
    std::vector<std::string> lines;
    for (const eval::MetricSpec& spec : specs) {
        const eval::SystemStats stats = eval::metric_stats(spec, sys.lines, refs);
        const std::vector<double> summed = eval::sum_stats(stats);
        const double score = eval::metric_score(spec, summed);
        std::string sc = eval::format_fixed(score, width), extra;
        // Score.format shows the interval only for a positive mean, as sacreBLEU does.
        if (confidence && n_boot > 1) {
            extra = "bs:" + std::to_string(n_boot) + "|seed:" + seed.text;
            const eval::ConfidenceInterval ci = eval::bootstrap_confidence(spec, stats, n_boot, seed);
            if (ci.mean > 0)
                sc += " (μ = " + eval::format_fixed(ci.mean, width) + " ± " + eval::format_fixed(ci.ci, width) + ")";
        }
        const std::string name = eval::metric_name(spec);
        const std::string sig = eval::metric_signature(spec, stats.nrefs, extra);
        const std::string verbose = eval::metric_verbose(spec, summed);
        if (json) {
            lines.push_back(" {\"name\": " + json_string(name) + ", \"score\": " + eval::format_fixed(score, width) +
                            ", \"signature\": " + json_string(sig) +
                            (verbose.empty() ? "" : ", \"verbose_score\": " + json_string(verbose)) + "}");
        } else if (only) {
            lines.push_back(sc);
        } else {
            lines.push_back(name + "|" + sig + " = " + sc + (verbose.empty() ? "" : " " + verbose));
        }
    }
    if (json) {
        std::printf("[\n");
        for (std::size_t i = 0; i < lines.size(); ++i)
            std::printf("%s%s\n", lines[i].c_str(), i + 1 < lines.size() ? "," : "");
        std::printf("]\n");
    } else {
        std::fputs(eval::align_single_results(lines).c_str(), stdout);
    }
}

// Several systems: the score table, with paired tests when asked (sacreBLEU's
// multi-system mode and PairedTest).
void print_multi(const std::vector<eval::MetricSpec>& specs, std::vector<System> systems,
                 const std::vector<std::vector<std::string>>& refs, const ResolvedOptions& opts) {
    const int width = int(opts.get<int64_t>("width"));
    const bool paired_bs = opts.get<bool>("paired-bs"), paired_ar = opts.get<bool>("paired-ar");
    std::vector<std::string> names;
    for (const System& s : systems) names.push_back(s.name);
    std::vector<eval::TableColumn> columns;
    std::vector<std::pair<std::string, std::string>> sigs;
    std::optional<eval::PairedNote> note;
    if (!paired_bs && !paired_ar) {
        for (const eval::MetricSpec& spec : specs) {
            eval::TableColumn col{eval::metric_name(spec), {}};
            int nrefs = 0;
            for (const System& s : systems) {
                const eval::SystemStats st = eval::metric_stats(spec, s.lines, refs);
                nrefs = st.nrefs;
                col.cells.push_back(eval::format_fixed(eval::metric_score(spec, eval::sum_stats(st)), width));
            }
            sigs.emplace_back(col.header, eval::metric_signature(spec, nrefs));
            columns.push_back(std::move(col));
        }
    } else {
        names[0] = "Baseline: " + names[0];
        const eval::TestSeed seed = eval::test_seed_from_env();
        const eval::PairedTestKind kind =
            paired_bs ? eval::PairedTestKind::Bootstrap : eval::PairedTestKind::ApproximateRandomization;
        const int n = int(opts.get<int64_t>(paired_bs ? "paired-bs-n" : "paired-ar-n"));
        std::vector<eval::MetricSystems> inputs;
        for (const eval::MetricSpec& spec : specs) {
            eval::MetricSystems ms{spec, {}};
            for (const System& s : systems) ms.systems.push_back(eval::metric_stats(spec, s.lines, refs));
            inputs.push_back(std::move(ms));
        }
        const auto results = eval::paired_test(inputs, kind, n, seed);
        bool bootstrap_title = false;  // sacreBLEU's flag is never reset between metrics
        for (std::size_t m = 0; m < specs.size(); ++m) {
            eval::TableColumn col{eval::metric_name(specs[m]), {}};
            for (const eval::PairedResult& r : results[m]) {
                std::string cell = eval::format_fixed(r.score, width);
                if (r.mean) {
                    bootstrap_title = true;
                    cell += " (" + eval::format_fixed(*r.mean, width) + " ± " + eval::format_fixed(*r.ci, width) + ")";
                }
                if (r.p_value)
                    cell += "\n(p = " + eval::format_fixed(*r.p_value, 4) + ")" + (*r.p_value > 0.05 ? "" : "*");
                col.cells.push_back(cell);
            }
            const std::string extra = std::string(paired_bs ? "bs:" : "ar:") + std::to_string(n) + "|seed:" + seed.text;
            sigs.emplace_back(col.header, eval::metric_signature(specs[m], inputs[m].systems[0].nrefs, extra));
            if (bootstrap_title) col.header += " (μ ± 95% CI)";
            columns.push_back(std::move(col));
        }
        note = eval::PairedNote{paired_bs, n, names[0]};
    }
    std::fputs(eval::results_report(names, columns, note, sigs).c_str(), stdout);
}

}  // namespace

int run_eval(const std::vector<std::string>& args) {
    const ResolvedOptions opts = parse_options("eval", args);
    if (!start_command("eval", opts, common_config_from(opts))) return 0;
    const auto& ref_files = opts.get<std::vector<std::string>>("references");
    DEEPNET_USER_CHECK(!ref_files.empty(), "deepnet eval needs at least one reference file: -r ref.txt");
    const bool paired_bs = opts.get<bool>("paired-bs"), paired_ar = opts.get<bool>("paired-ar");
    DEEPNET_USER_CHECK(!(paired_bs && paired_ar), "--paired-bs and --paired-ar exclude each other: choose one");
    const bool paired = paired_bs || paired_ar;
    const std::vector<System> systems = read_systems(opts.get<std::vector<std::string>>("input"), paired);
    DEEPNET_USER_CHECK(!paired || systems.size() > 1,
                       "paired tests compare systems: give two or more hypothesis files to -i, the first "
                       "being the baseline");
    DEEPNET_USER_CHECK(systems.size() == 1 || !opts.get<bool>("confidence"),
                       "--confidence is for one system; for several use --paired-bs (which reports "
                       "confidence intervals too) or --paired-ar");
    std::vector<std::vector<std::string>> refs;
    for (const auto& f : ref_files) {
        refs.push_back(read_lines(f));
        for (const System& s : systems)
            DEEPNET_USER_CHECK(refs.back().size() == s.lines.size(),
                               "reference file " << f << " has " << refs.back().size() << " lines but the hypotheses ("
                                                 << s.name << ") have " << s.lines.size());
    }
    const std::vector<eval::MetricSpec> specs = metric_specs(opts, paired);
    if (!opts.get<bool>("force") &&
        std::any_of(specs.begin(), specs.end(), [](const eval::MetricSpec& s) { return s.kind == eval::MetricKind::Bleu; }))
        for (const System& s : systems) warn_if_tokenized(s.lines);
    if (systems.size() == 1)
        print_single(specs, systems[0], refs, opts);
    else
        print_multi(specs, systems, refs, opts);
    return 0;
}

}  // namespace deepnet
