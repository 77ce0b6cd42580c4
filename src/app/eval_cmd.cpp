// `deepnet eval`: corpus BLEU, chrF and TER of one or more systems against references,
// sacreBLEU 2.x compatible: scores, signatures, -b, JSON, --confidence, sentence-level
// scores (-sl), and for several systems (-i a b c, or tab-separated columns on standard
// input) the score table or JSON list with --paired-bs / --paired-ar tests against the
// first. Lines are read as sacreBLEU's CLI reads them (src/eval/cli_input.h), references
// optionally tab-separated in one file (-nr); --short signatures; -f latex tables; the
// SACREBLEU_FORMAT environment variable.
#include <algorithm>
#include <cstdio>
#include <optional>

#include "src/app/app_common.h"
#include "src/app/commands.h"
#include "src/config/command_line.h"
#include "src/core/error.h"
#include "src/core/log.h"
#include "src/eval/cli_input.h"
#include "src/eval/json_report.h"
#include "src/eval/metric_input.h"
#include "src/eval/metric_spec.h"
#include "src/eval/results_report.h"
#include "src/eval/significance.h"

namespace deepnet {
namespace {

std::string read_stdin_text() {
    std::string text;
    char buf[1 << 16];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), stdin)) > 0) text.append(buf, n);
    return text;
}

// -f, unless SACREBLEU_FORMAT names a format: sacreBLEU's parse_args lets the variable
// override the flag, given or not. Our default stays text (sacreBLEU's is json).
std::string output_format(const ResolvedOptions& opts) {
    return eval::format_from_env().value_or(opts.get<std::string>("format"));
}

// Signature.format(short): the long form, or with --short the abbreviated one.
std::string signature_text(const eval::MetricSpec& spec, const std::string& sig, bool short_form) {
    return short_form ? eval::short_signature(spec, sig) : sig;
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

// The metrics -m asks for; without -m, sentence-level mode scores BLEU alone, sacreBLEU's
// default, where its one-metric rule would refuse our corpus default (BLEU and chrF).
std::vector<std::string> requested_metrics(const ResolvedOptions& opts) {
    if (opts.get<bool>("sentence-level") && opts.is_default("metrics")) return {"bleu"};
    return opts.get<std::vector<std::string>>("metrics");
}

// -m in sacreBLEU's order: given order for paired tests (its PairedTest keeps the dict's
// insertion order), sorted by name (BLEU, CHRF, TER) otherwise; repeats dropped.
std::vector<eval::MetricSpec> metric_specs(const ResolvedOptions& opts, bool paired) {
    std::vector<std::string> names;
    for (const std::string& m : requested_metrics(opts))
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
            // sacreBLEU turns effective order on for sentence-level BLEU (eff:yes).
            s.bleu.effective_order = opts.get<bool>("sentence-level");
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

// Files given to -i, or the tab-separated columns of standard input; for paired tests the
// first is the baseline ("Baseline: FILE"; plain "Baseline" on standard input).
std::vector<System> read_systems(const std::vector<std::string>& files, bool paired) {
    std::vector<System> systems;
    if (files.empty()) {
        std::vector<std::vector<std::string>> columns = eval::stdin_systems(read_stdin_text());
        const std::vector<std::string> names = eval::stdin_system_names(columns.size(), paired);
        for (std::size_t s = 0; s < columns.size(); ++s) systems.push_back({names[s], std::move(columns[s])});
        return systems;
    }
    for (const std::string& f : files) {
        const bool seen = std::any_of(systems.begin(), systems.end(), [&](const System& s) { return s.name == f; });
        if (seen && paired && f == systems[0].name) {
            log::info("Ignoring '" + f + "' as it was also given as the baseline.");
            continue;
        }
        DEEPNET_USER_CHECK(!seen, "hypothesis file " << f << " is given twice to -i: name each system once");
        systems.push_back({f, eval::read_cli_file(f)});
    }
    if (paired) systems[0].name = "Baseline: " + systems[0].name;
    return systems;
}

// -sl: sacreBLEU's sentence-level mode, metric.sentence_score(hyp, refs).format(width,
// score_only, signature) per segment, as text whatever -f says. A segment's score is the
// corpus formula over its own statistics; its signature counts its own non-empty
// references, since sentence_score re-caches them (nrefs may change from line to line).
void print_sentence_level(const eval::MetricSpec& spec, const System& sys,
                          const std::vector<std::vector<std::string>>& refs, const ResolvedOptions& opts) {
    const int width = int(opts.get<int64_t>("width"));
    const bool only = opts.get<bool>("score-only");
    const bool short_form = opts.get<bool>("short");  // metric.get_signature().format(args.short)
    const eval::SystemStats stats = eval::metric_stats(spec, sys.lines, refs);
    const std::string name = eval::metric_name(spec);
    std::string out;
    for (std::size_t i = 0; i < stats.segments.size(); ++i) {
        const std::string sc = eval::format_fixed(eval::metric_score(spec, stats.segments[i]), width);
        if (only) {
            out += sc + "\n";
            continue;
        }
        int nrefs = 0;
        for (const auto& stream : refs) nrefs += !stream[i].empty();
        const std::string verbose = eval::metric_verbose(spec, stats.segments[i]);
        out += name + "|" + signature_text(spec, eval::metric_signature(spec, nrefs), short_form) + " = " + sc +
               (verbose.empty() ? "" : " " + verbose) + "\n";
    }
    std::fputs(out.c_str(), stdout);
}

// One system, each metric on one line (sacreBLEU's print_single_results), or JSON; latex
// prints the text lines (sacreBLEU uses the format for its multi-system table only).
void print_single(const std::vector<eval::MetricSpec>& specs, const System& sys,
                  const std::vector<std::vector<std::string>>& refs, const ResolvedOptions& opts) {
    const int width = int(opts.get<int64_t>("width"));
    const bool json = output_format(opts) == "json";
    // get_signature().format(args.short if args.format != 'json' else False)
    const bool short_form = opts.get<bool>("short") && !json;
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
        std::optional<eval::ConfidenceInterval> ci;
        // Score.format shows the interval only for a positive mean, as sacreBLEU does.
        if (confidence && n_boot > 1) {
            extra = "bs:" + std::to_string(n_boot) + "|seed:" + seed.text;
            ci = eval::bootstrap_confidence(spec, stats, n_boot, seed);
            if (ci->mean > 0)
                sc += " (μ = " + eval::format_fixed(ci->mean, width) + " ± " + eval::format_fixed(ci->ci, width) + ")";
        }
        const std::string name = eval::metric_name(spec);
        const std::string sig = signature_text(spec, eval::metric_signature(spec, stats.nrefs, extra), short_form);
        const std::string verbose = eval::metric_verbose(spec, summed);
        if (only) {
            lines.push_back(sc);  // -b wins over -f json, as in Score.format
        } else if (json) {
            lines.push_back(eval::score_json({name, score, sig, verbose, ci}, width));
        } else {
            lines.push_back(name + "|" + sig + " = " + sc + (verbose.empty() ? "" : " " + verbose));
        }
    }
    if (json) {
        std::fputs(eval::single_results_json(lines).c_str(), stdout);
    } else {
        std::fputs(eval::align_single_results(lines).c_str(), stdout);
    }
}

// The multi-system report of sacreBLEU (print_results_table): a column per metric for
// the text table and for the JSON list, the signatures and the paired-test note.
struct MultiReport {
    std::vector<eval::TableColumn> table;
    std::vector<eval::JsonColumn> json;
    std::vector<std::pair<std::string, std::string>> sigs;
    std::optional<eval::PairedNote> note;
};

// Several systems without a test: each score rounded to --width.
MultiReport plain_scores(const std::vector<eval::MetricSpec>& specs, const std::vector<System>& systems,
                         const std::vector<std::vector<std::string>>& refs, int width, bool short_form) {
    MultiReport report;
    for (const eval::MetricSpec& spec : specs) {
        eval::TableColumn col{eval::metric_name(spec), {}};
        int nrefs = 0;
        for (const System& s : systems) {
            const eval::SystemStats st = eval::metric_stats(spec, s.lines, refs);
            nrefs = st.nrefs;
            col.cells.push_back(eval::format_fixed(eval::metric_score(spec, eval::sum_stats(st)), width));
        }
        report.sigs.emplace_back(col.header, signature_text(spec, eval::metric_signature(spec, nrefs), short_form));
        report.json.push_back({col.header, col.cells, {}});
        report.table.push_back(std::move(col));
    }
    return report;
}

// Several systems with --paired-bs / --paired-ar (sacreBLEU's PairedTest) against the first.
MultiReport paired_scores(const std::vector<eval::MetricSpec>& specs, const std::vector<System>& systems,
                          const std::vector<std::vector<std::string>>& refs, const ResolvedOptions& opts) {
    const int width = int(opts.get<int64_t>("width"));
    const bool bootstrap = opts.get<bool>("paired-bs");
    // _format_score_lines(multiline=tablefmt == 'fancy_grid'): the p-value goes on its own
    // line of the cell in the text table, after a space in the LaTeX one.
    const char* p_break = output_format(opts) == "latex" ? " " : "\n";
    const eval::TestSeed seed = eval::test_seed_from_env();
    const eval::PairedTestKind kind =
        bootstrap ? eval::PairedTestKind::Bootstrap : eval::PairedTestKind::ApproximateRandomization;
    const int n = int(opts.get<int64_t>(bootstrap ? "paired-bs-n" : "paired-ar-n"));
    std::vector<eval::MetricSystems> inputs;
    for (const eval::MetricSpec& spec : specs) {
        eval::MetricSystems ms{spec, {}};
        for (const System& s : systems) ms.systems.push_back(eval::metric_stats(spec, s.lines, refs));
        inputs.push_back(std::move(ms));
    }
    const auto results = eval::paired_test(inputs, kind, n, seed, int(opts.get<int64_t>("paired-jobs")));
    MultiReport report;
    bool bootstrap_title = false;  // sacreBLEU's flag is never reset between metrics
    for (std::size_t m = 0; m < specs.size(); ++m) {
        eval::TableColumn col{eval::metric_name(specs[m]), {}};
        report.json.push_back({col.header, {}, results[m]});
        for (const eval::PairedResult& r : results[m]) {
            std::string cell = eval::format_fixed(r.score, width);
            if (r.mean) {
                bootstrap_title = true;
                cell += " (" + eval::format_fixed(*r.mean, width) + " ± " + eval::format_fixed(*r.ci, width) + ")";
            }
            if (r.p_value)
                cell += p_break + ("(p = " + eval::format_fixed(*r.p_value, 4) + ")") + (*r.p_value > 0.05 ? "" : "*");
            col.cells.push_back(cell);
        }
        const std::string extra = std::string(bootstrap ? "bs:" : "ar:") + std::to_string(n) + "|seed:" + seed.text;
        report.sigs.emplace_back(col.header, signature_text(specs[m], eval::metric_signature(specs[m], inputs[m].systems[0].nrefs, extra),
                                                            opts.get<bool>("short")));
        if (bootstrap_title) col.header += " (μ ± 95% CI)";
        report.table.push_back(std::move(col));
    }
    // The note names the row that starts with "Baseline:"; standard input's plain
    // "Baseline" has none, so sacreBLEU's note names nobody there.
    const std::string& first = systems[0].name;
    report.note = eval::PairedNote{bootstrap, n, first.rfind("Baseline:", 0) == 0 ? first : ""};
    return report;
}

// Several systems: the score table or, with -f json, the JSON list.
void print_multi(const std::vector<eval::MetricSpec>& specs, const std::vector<System>& systems,
                 const std::vector<std::vector<std::string>>& refs, const ResolvedOptions& opts) {
    const bool paired = opts.get<bool>("paired-bs") || opts.get<bool>("paired-ar");
    const MultiReport report =
        paired ? paired_scores(specs, systems, refs, opts)
               : plain_scores(specs, systems, refs, int(opts.get<int64_t>("width")), opts.get<bool>("short"));
    std::vector<std::string> names;
    for (const System& s : systems) names.push_back(s.name);
    const std::string format = output_format(opts);
    if (format == "json")
        std::fputs(eval::multi_results_json(names, report.json).c_str(), stdout);
    else
        std::fputs(eval::results_report(names, report.table, report.note, report.sigs,
                                        format == "latex" ? eval::TableStyle::LatexBooktabs
                                                          : eval::TableStyle::FancyGrid)
                       .c_str(),
                   stdout);
}

// sacreBLEU's refusals of sentence-level mode (-sl), in its order: one system, no tests
// (the one-metric rule is checked before any input is read).
void check_sentence_level(const ResolvedOptions& opts, std::size_t n_systems) {
    DEEPNET_USER_CHECK(n_systems == 1, "sentence-level mode (-sl) scores one system, as in sacreBLEU, but "
                                           << n_systems << " were given (files to -i, or tab-separated columns "
                                           "on standard input): score them one at a time");
    DEEPNET_USER_CHECK(!opts.get<bool>("confidence") && !opts.get<bool>("paired-bs") && !opts.get<bool>("paired-ar"),
                       "statistical tests are unavailable in sentence-level mode (-sl), as in sacreBLEU: "
                       "drop --confidence / --paired-bs / --paired-ar, or -sl");
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
    const bool sentence_level = opts.get<bool>("sentence-level");
    DEEPNET_USER_CHECK(!sentence_level || requested_metrics(opts).size() == 1,
                       "sentence-level mode (-sl) scores one metric, as in sacreBLEU: give one to -m "
                       "(bleu, chrf or ter)");
    // sacrebleu.py main(): --num-refs with several reference files is refused, then the
    // references are read (a line with the wrong field count stops it there), then the systems.
    const int64_t num_refs = opts.get<int64_t>("num-refs");
    DEEPNET_USER_CHECK(num_refs == 1 || ref_files.size() == 1,
                       "The --num-refs argument allows you to provide any number of tab-delimited references "
                       "in a single file. You can only use it with externally provided references, however "
                       "(i.e., not with `-t`), and you cannot then provide multiple reference files. (sacreBLEU's "
                       "words: give -nr " << num_refs << " one file to -r, or drop -nr and give "
                       << ref_files.size() << " reference files)");
    std::vector<std::vector<std::string>> refs;
    for (const auto& f : ref_files) refs.push_back(eval::read_cli_file(f));
    if (num_refs != 1) refs = eval::split_tab_references(refs[0], num_refs, ref_files[0]);
    const std::vector<System> systems = read_systems(opts.get<std::vector<std::string>>("input"), paired);
    if (sentence_level) check_sentence_level(opts, systems.size());
    DEEPNET_USER_CHECK(!paired || systems.size() > 1,
                       "paired tests compare systems: give two or more hypothesis files to -i (or columns "
                       "on standard input), the first being the baseline");
    DEEPNET_USER_CHECK(systems.size() == 1 || !opts.get<bool>("confidence"),
                       "--confidence is for one system; for several use --paired-bs (which reports "
                       "confidence intervals too) or --paired-ar");
    for (std::size_t r = 0; r < refs.size(); ++r) {
        // With -nr every stream comes from the one file.
        const std::string& f = ref_files[num_refs == 1 ? r : 0];
        for (const System& s : systems)
            DEEPNET_USER_CHECK(refs[r].size() == s.lines.size(),
                               "reference file " << f << " has " << refs[r].size() << " lines but the hypotheses ("
                                                 << s.name << ") have " << s.lines.size());
    }
    const std::vector<eval::MetricSpec> specs = metric_specs(opts, paired);
    if (sentence_level) {
        // Each sentence_score counts ' .' endings over one line, so sacreBLEU never warns here.
        print_sentence_level(specs[0], systems[0], refs, opts);
        return 0;
    }
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
