// The table of subcommands main() dispatches to.
#include "src/app/commands.h"

namespace deepnet {

const std::vector<Subcommand>& subcommands() {
    static const std::vector<Subcommand> list = {
        {"train", "train a model (alias deepnet-train)", run_train},
        {"translate", "translate text with a model (alias deepnet-translate)", run_translate},
        {"score", "log-probabilities of sentence pairs under a model", run_score},
        {"average", "average the weights of checkpoints (last N, N best, or files)", run_average},
        {"eval", "BLEU and chrF of hypotheses, sacreBLEU-compatible", run_eval},
        {"generate-task", "write the built-in translation task", run_generate_task},
    };
    return list;
}

}  // namespace deepnet
