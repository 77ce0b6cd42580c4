// `deepnet train` (options, --help, --dump-config, then the trainer) and
// `deepnet generate-task` (the built-in task's files).
#include "src/app/app_common.h"
#include "src/app/commands.h"
#include "src/config/command_line.h"
#include "src/config/data_config.h"
#include "src/config/train_config.h"
#include "src/core/blas_setup.h"
#include "src/core/log.h"
#include "src/data/builtin_task.h"
#include "src/train/trainer.h"

namespace deepnet {
int run_train(const std::vector<std::string>& args) {
    const ResolvedOptions opts = parse_options("train", args);
    if (!start_command("train", opts, common_config_from(opts))) return 0;
    TrainerSetup setup;
    setup.model = model_config_from(opts);
    setup.train = train_config_from(opts);
    setup.data = data_config_from(opts);
    setup.config_yaml = dump_config_yaml(opts);
    if (setup.train.devices.empty())
        log::info("GEMMs: oneDNN (float32, bfloat16); OpenBLAS " + blas_core_name() + " kernels for float64 only");
    else
        log::info("GEMMs: cuBLASLt (float32, no TF32)");
    return run_training(setup);
}

int run_generate_task(const std::vector<std::string>& args) {
    const ResolvedOptions opts = parse_options("generate-task", args);
    const CommonConfig common = common_config_from(opts);
    if (!start_command("generate-task", opts, common)) return 0;
    BuiltinTaskSizes sizes;
    sizes.train = opts.get<int64_t>("train-size");
    sizes.valid = opts.get<int64_t>("valid-size");
    sizes.test = opts.get<int64_t>("test-size");
    const std::string dir = opts.get<std::string>("output");
    write_builtin_task(dir, common.seed, sizes);
    log::info("wrote the built-in task to " + dir + "/{train,valid,test}.{en,xx}");
    return 0;
}

}  // namespace deepnet
