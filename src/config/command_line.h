// The public entry points the app layer calls: resolve a subcommand's options from its
// command line (and the --config files it names), print --help, print --dump-config.
//
// Precedence, lowest to highest: defaults < each --config file in the order given <
// command-line flags. All errors are deepnet::UserError with one message naming the
// option, the file and line (or "on the command line"), and a suggestion for a typo.
#pragma once

#include <string>
#include <vector>

#include "src/config/resolved_options.h"
#include "src/config/typed_configs.h"

namespace deepnet {

// args: everything after the program and subcommand name. With --help/-h anywhere, config
// files are not read and cross-field checks are skipped, so help works on a broken setup.
ResolvedOptions parse_options(const std::string& command, const std::vector<std::string>& args);

// Every option of the subcommand, by group, with its type, default and meaning.
std::string help_text(const std::string& command);

// The fully resolved options as YAML that parse_options reads back to the same values:
// every option except the command-line-only ones, in group order, provenance as comments,
// DeepNorm alpha/beta as the numbers the model really uses.
std::string dump_config_yaml(const ResolvedOptions& opts);

}  // namespace deepnet
