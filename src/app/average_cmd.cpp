// `deepnet average -m a.safetensors b.safetensors ... -o avg.safetensors`, or, over the
// copies a run kept with --keep-checkpoints N: `-m model.safetensors --last N` (the N newest)
// or `--best N [--valid-metric M]` (the N best validated). The mean is summed in double
// (src/io/model_average.h); the output is an ordinary model file for translate and score.
#include <algorithm>

#include "src/app/app_common.h"
#include "src/app/commands.h"
#include "src/config/command_line.h"
#include "src/config/train_config.h"
#include "src/config/translate_config.h"
#include "src/core/error.h"
#include "src/core/log.h"
#include "src/io/model_average.h"
#include "src/train/checkpoint_selection.h"

namespace deepnet {
namespace {

std::vector<std::string> chosen_models(const AverageConfig& ac) {
    DEEPNET_USER_CHECK(!ac.models.empty(), "no models given: use -m/--model FILE... (or -m MODEL with "
                                           "--last N / --best N)");
    DEEPNET_USER_CHECK(ac.last == 0 || ac.best == 0, "give --last or --best, not both");
    if (ac.last == 0 && ac.best == 0) return ac.models;
    DEEPNET_USER_CHECK(ac.models.size() == 1, "--last and --best take one -m: the model file of the "
                                              "training run, whose kept copies <model>.iter<U> are averaged; got "
                                                  << ac.models.size());
    const std::string& model = ac.models.front();
    if (ac.last > 0) return last_checkpoints(model, ac.last);
    const std::string& m = ac.valid_metric;
    const auto& names = validation_metric_names();
    DEEPNET_USER_CHECK(m.empty() || std::find(names.begin(), names.end(), m) != names.end(),
                       "--valid-metric '" << m << "' is not one of " << validation_metric_list());
    return best_checkpoints(model, ac.log_json.empty() ? model + ".train.jsonl" : ac.log_json, m, ac.best);
}

}  // namespace

int run_average(const std::vector<std::string>& args) {
    const ResolvedOptions opts = parse_options("average", args);
    const CommonConfig common = common_config_from(opts);
    if (!start_command("average", opts, common)) return 0;
    const AverageConfig ac = average_config_from(opts);
    DEEPNET_USER_CHECK(!ac.output.empty(), "no output given: use -o/--output FILE");
    const std::vector<std::string> inputs = chosen_models(ac);
    std::string names;
    for (const auto& p : inputs) names += "\n  " + p;
    log::info("averaging " + std::to_string(inputs.size()) + " models:" + names);
    average_model_files(inputs, ac.output);
    log::info("wrote " + ac.output);
    return 0;
}

}  // namespace deepnet
