// `deepnet train`: options, --help, --dump-config, then the trainer.
#include <cstdio>

#include "src/app/commands.h"
#include "src/config/command_line.h"
#include "src/core/blas_setup.h"
#include "src/core/error.h"
#include "src/core/log.h"

namespace deepnet {

int run_train(const std::vector<std::string>& args) {
    const ResolvedOptions opts = parse_options("train", args);
    const CommonConfig common = common_config_from(opts);
    if (common.help) {
        std::fputs(help_text("train").c_str(), stdout);
        return 0;
    }
    log::set_quiet(common.quiet);
    for (const auto& w : opts.warnings()) log::warn(w);
    if (common.dump_config) {
        std::fputs(dump_config_yaml(opts).c_str(), stdout);
        return 0;
    }
    set_cpu_threads(int(common.cpu_threads));
    throw UserError("training is not built yet: only --dump-config and --help work in this build");
}

const std::vector<Subcommand>& subcommands() {
    static const std::vector<Subcommand> list = {
        {"train", "train a model (alias deepnet-train)", run_train},
    };
    return list;
}

}  // namespace deepnet
