// `deepnet train` (options, --help, --dump-config, then the trainer) and
// `deepnet generate-task` (the built-in task's files).
#include <cstdio>

#include "src/app/commands.h"
#include "src/config/command_line.h"
#include "src/config/data_config.h"
#include "src/config/train_config.h"
#include "src/core/blas_setup.h"
#include "src/core/log.h"
#include "src/data/builtin_task.h"
#include "src/train/trainer.h"

namespace deepnet {
namespace {

// Shared start of every subcommand: --help, logging, threads. Returns false when done.
bool begin(const std::string& command, const ResolvedOptions& opts, const CommonConfig& common) {
    if (common.help) {
        std::fputs(help_text(command).c_str(), stdout);
        return false;
    }
    log::set_quiet(common.quiet);
    if (!common.log_file.empty()) log::set_file(common.log_file);
    for (const auto& w : opts.warnings()) log::warn(w);
    set_cpu_threads(int(common.cpu_threads));
    return true;
}

}  // namespace

int run_train(const std::vector<std::string>& args) {
    const ResolvedOptions opts = parse_options("train", args);
    const CommonConfig common = common_config_from(opts);
    if (!begin("train", opts, common)) return 0;
    if (common.dump_config) {
        std::fputs(dump_config_yaml(opts).c_str(), stdout);
        return 0;
    }
    TrainerSetup setup;
    setup.model = model_config_from(opts);
    setup.train = train_config_from(opts);
    setup.data = data_config_from(opts);
    setup.config_yaml = dump_config_yaml(opts);
    log::info("BLAS: OpenBLAS " + blas_core_name() + " kernels");
    return run_training(setup);
}

int run_generate_task(const std::vector<std::string>& args) {
    const ResolvedOptions opts = parse_options("generate-task", args);
    const CommonConfig common = common_config_from(opts);
    if (!begin("generate-task", opts, common)) return 0;
    BuiltinTaskSizes sizes;
    sizes.train = opts.get<int64_t>("train-size");
    sizes.valid = opts.get<int64_t>("valid-size");
    sizes.test = opts.get<int64_t>("test-size");
    const std::string dir = opts.get<std::string>("output");
    write_builtin_task(dir, common.seed, sizes);
    log::info("wrote the built-in task to " + dir + "/{train,valid,test}.{en,xx}");
    return 0;
}

const std::vector<Subcommand>& subcommands() {
    static const std::vector<Subcommand> list = {
        {"train", "train a model (alias deepnet-train)", run_train},
        {"translate", "translate text with a model (alias deepnet-translate)", run_translate},
        {"score", "log-probabilities of sentence pairs under a model", run_score},
        {"eval", "BLEU and chrF of hypotheses, sacreBLEU-compatible", run_eval},
        {"generate-task", "write the built-in translation task", run_generate_task},
    };
    return list;
}

}  // namespace deepnet
