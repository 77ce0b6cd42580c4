// `deepnet train` (options, --help, --dump-config, then the trainer) and
// `deepnet generate-task` (the built-in task's files).
#include <algorithm>
#include <iostream>

#include "src/app/app_common.h"
#include "src/app/commands.h"
#include "src/config/command_line.h"
#include "src/config/data_config.h"
#include "src/config/train_config.h"
#include "src/core/blas_setup.h"
#include "src/core/log.h"
#include "src/data/builtin_task.h"
#include "src/train/memory_report.h"
#include "src/train/trainer.h"

namespace deepnet {
namespace {

// --dump-memory: the plan from the options alone (no data, no device): the vocabulary is
// dim-vocabs, the workspace -w, and a --mini-batch-fit batch the plan's prediction.
int dump_memory(const TrainerSetup& setup) {
    const TrainingMemorySetting setting = memory_setting(setup.train, 1);
    const int64_t workspace = workspace_bytes(setup.train, 0);
    BatchShape shape = largest_batch_shape(setup.data);
    if (setup.data.mini_batch_fit && workspace > 0) {
        shape.B = std::max<int64_t>(1, largest_batch(setup.model, setting, shape.S, shape.T, workspace));
        if (setup.data.mini_batch > 0) shape.B = std::min(shape.B, setup.data.mini_batch);
    }
    const std::string device = setup.train.devices.empty() ? "the CPU" : "GPU " + std::to_string(setup.train.devices[0]);
    for (const std::string& line : memory_plan_lines(setup.model, setting, shape, device, workspace))
        std::cout << line << "\n";
    if (const std::string worst = worst_batch_line(setup.model, setting, setup.data); !worst.empty())
        std::cout << worst << "\n";
    if (setup.data.mini_batch_fit)
        std::cout << "  (--mini-batch-fit: the batch is the plan's prediction; training measures it on the device "
                     "at start-up)\n";
    return 0;
}

}  // namespace

int run_train(const std::vector<std::string>& args) {
    const ResolvedOptions opts = parse_options("train", args);
    if (!start_command("train", opts, common_config_from(opts))) return 0;
    TrainerSetup setup;
    setup.model = model_config_from(opts);
    setup.train = train_config_from(opts);
    setup.data = data_config_from(opts);
    setup.config_yaml = dump_config_yaml(opts);
    if (setup.train.dump_memory) return dump_memory(setup);
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
