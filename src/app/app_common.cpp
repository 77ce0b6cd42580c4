// Shared subcommand start (see app_common.h).
#include "src/app/app_common.h"

#include <cstdio>

#include "src/core/blas_setup.h"
#include "src/core/log.h"

namespace deepnet {

bool start_command(const std::string& command, const ResolvedOptions& opts, const CommonConfig& common) {
    if (common.help) {
        std::fputs(help_text(command).c_str(), stdout);
        return false;
    }
    if (common.dump_config) {
        std::fputs(dump_config_yaml(opts).c_str(), stdout);
        return false;
    }
    log::set_quiet(common.quiet);
    if (!common.log_file.empty()) log::set_file(common.log_file);
    for (const auto& w : opts.warnings()) log::warn(w);
    for (const auto& n : opts.notes()) log::info(n);  // Marian options accepted and ignored
    set_cpu_threads(int(common.cpu_threads));
    return true;
}

}  // namespace deepnet
