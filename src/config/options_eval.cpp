// Group "Evaluation" of `deepnet eval`: sacreBLEU 2.x's CLI options under its names, long
// and short (-lc, -tok, -w, -s, -cw, -pbs, -par ... are sacreBLEU's multi-letter
// single-dash forms).
#include "src/config/option_groups.h"

namespace deepnet {

OptionGroup eval_options() {
    return {"Evaluation", {
        string_list_option("references", {}, "Reference files (one per reference stream; with "
                           "--num-refs, one file of tab-separated references)")
            .alias('r').metavar("FILE"),
        int_option("num-refs", 1, "References per line of the one reference file, tab-separated "
                   "(sacreBLEU -nr); each line must have exactly this many fields")
            .dash_alias("nr"),
        string_list_option("input", {}, "Hypothesis files, one per system (several for a table or "
                           "paired tests, the first is the baseline); none = standard input, one "
                           "system per tab-separated column")
            .alias('i').metavar("FILE"),
        string_list_option("metrics", {"bleu", "chrf"}, "Metrics to compute (with --sentence-level "
                           "one; unset there = bleu)").alias('m')
            .one_of({"bleu", "chrf", "ter"}),
        bool_option("sentence-level", false, "Score each hypothesis on its own line: one metric, "
                    "one system, BLEU with effective order (sacreBLEU -sl)").dash_alias("sl"),
        string_option("tokenize", "13a", "BLEU tokenizer (sacreBLEU --tokenize)").dash_alias("tok")
            .one_of({"none", "13a", "intl", "char"}),
        string_option("smooth-method", "exp", "BLEU smoothing (sacreBLEU --smooth-method)").alias('s')
            .one_of({"none", "floor", "add-k", "exp"}),
        optional_double_option("smooth-value", "The value of floor / add-k smoothing; unset = "
                               "sacreBLEU's default (0.1 / 1)").dash_alias("sv").at_least(0),
        bool_option("lowercase", false, "BLEU: lowercase hypotheses and references (sacreBLEU -lc)")
            .dash_alias("lc"),
        bool_option("chrf-lowercase", false, "chrF: lowercase hypotheses and references"),
        int_option("chrf-char-order", 6, "chrF character n-gram order").dash_alias("cc").range(1, 10),
        int_option("chrf-word-order", 0, "chrF word n-gram order; 2 = chrF++").dash_alias("cw")
            .range(0, 6),
        int_option("chrf-beta", 2, "chrF recall weight beta").range(1, 10),
        bool_option("chrf-whitespace", false, "Keep whitespace in chrF character n-grams"),
        bool_option("chrf-eps-smoothing", false, "chrF++.py's epsilon smoothing (signature eff:no)"),
        bool_option("ter-case-sensitive", false, "TER: keep case (tercom lowercases)"),
        bool_option("ter-asian-support", false, "TER: split CJK characters / drop CJK punctuation "
                    "with --ter-normalized / --ter-no-punct"),
        bool_option("ter-no-punct", false, "TER: remove punctuation"),
        bool_option("ter-normalized", false, "TER: tercom's normalisation and tokenization"),
        bool_option("confidence", false, "Add a 95% confidence interval from bootstrap resampling "
                    "(one system; sacreBLEU --confidence)").dash_alias("ci"),
        int_option("confidence-n", 1000, "Bootstrap resamples for --confidence").dash_alias("cin")
            .at_least(1),
        bool_option("paired-bs", false, "Paired bootstrap resampling test of each system against the "
                    "first (sacreBLEU --paired-bs)").dash_alias("pbs"),
        bool_option("paired-ar", false, "Paired approximate randomization test of each system against "
                    "the first (sacreBLEU --paired-ar)").dash_alias("par"),
        int_option("paired-bs-n", 1000, "Resamples of --paired-bs").dash_alias("pbsn").at_least(1),
        int_option("paired-ar-n", 10000, "Trials of --paired-ar").dash_alias("parn").at_least(1),
        int_option("paired-jobs", 1, "Threads comparing systems in --paired-bs / --paired-ar, one "
                   "system each; 0 = half the cores. Results do not depend on it (sacreBLEU -j)")
            .alias('j').at_least(0),
        bool_option("force", false, "Score even when the hypotheses look tokenized (no warning)"),
        int_option("width", 1, "Decimals of the printed scores (sacreBLEU --width)").alias('w')
            .range(0, 10),
        bool_option("score-only", false, "Print the scores only, one per line (sacreBLEU -b)")
            .alias('b'),
        bool_option("short", false, "Short signatures: abbreviated keys, e.g. #:1|c:mixed|e:no|"
                    "tok:13a|s:exp|v:2.4.0 (sacreBLEU --short; not in JSON, as there)").dash_alias("sh"),
        string_option("format", "text", "Output format (sacreBLEU -f); json: sacreBLEU's JSON, one "
                      "object per metric, or per system for several; latex: the table of several "
                      "systems as LaTeX (booktabs), one system prints text. SACREBLEU_FORMAT=json|"
                      "text|latex overrides it, as in sacreBLEU").alias('f').one_of({"text", "json", "latex"}),
    }};
}

}  // namespace deepnet
