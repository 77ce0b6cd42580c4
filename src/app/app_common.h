// The start every subcommand shares: --help, --dump-config, logging (quiet, log file,
// option warnings, notes on Marian options) and the CPU thread count.
#pragma once

#include <string>

#include "src/config/command_line.h"

namespace deepnet {

// Returns false when the command has nothing more to do (it printed --help or the config).
bool start_command(const std::string& command, const ResolvedOptions& opts, const CommonConfig& common);

}  // namespace deepnet
