// Group "Evaluation" of `deepnet eval`: sacreBLEU's options under sacreBLEU-like names.
#include "src/config/option_groups.h"

namespace deepnet {

OptionGroup eval_options() {
    return {"Evaluation", {
        string_list_option("references", {}, "Reference files (one per reference stream)")
            .alias('r').metavar("FILE"),
        string_option("input", "", "Hypotheses file; empty = standard input").alias('i').metavar("FILE"),
        string_list_option("metrics", {"bleu", "chrf"}, "Metrics to compute").alias('m')
            .one_of({"bleu", "chrf"}),
        string_option("tokenize", "13a", "BLEU tokenizer (sacreBLEU --tokenize)")
            .one_of({"none", "13a", "intl", "char"}),
        bool_option("lowercase", false, "Lowercase hypotheses and references (sacreBLEU -lc)"),
        int_option("chrf-word-order", 0, "chrF word n-gram order; 2 = chrF++").range(0, 6),
        bool_option("score-only", false, "Print the scores only, one per line (sacreBLEU -b)")
            .alias('b'),
        string_option("format", "text", "Output format (sacreBLEU -f)").one_of({"text", "json"}),
    }};
}

}  // namespace deepnet
