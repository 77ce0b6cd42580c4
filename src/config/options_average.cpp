// Group "Average" of `deepnet average`: checkpoint averaging as Marian's scripts/average.py
// (-m models... -o output) and fairseq's average_checkpoints.py (the last N, or N best).
#include "src/config/option_groups.h"
#include "src/config/train_config.h"

namespace deepnet {

OptionGroup average_options() {
    return {"Average", {
        string_list_option("model", {}, "Model files to average; with --last or --best, the one "
                           "model file of a training run, whose kept copies <model>.iter<U> are chosen")
            .alias('m').metavar("FILE"),
        string_option("output", "", "Where to write the averaged model").alias('o').metavar("FILE"),
        int_option("last", 0, "Average the N newest kept copies (--keep-checkpoints); 0 = off").at_least(0),
        int_option("best", 0, "Average the N kept copies with the best validation score in the "
                   "run's JSON log; 0 = off").at_least(0),
        string_option("valid-metric", "", "The metric --best ranks by (" + validation_metric_list() +
                      "); empty = the first of the run's valid-metrics").metavar("METRIC"),
        string_option("log-json", "", "The run's JSON log for --best; empty = <model>.train.jsonl")
            .metavar("FILE"),
    }};
}

}  // namespace deepnet
