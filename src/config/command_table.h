// The subcommands and their option groups. To add options: add a row to a group in
// options_<group>.cpp, or write a new group function (declared in option_groups.h) and
// list it for its subcommands in command_table.cpp. Nothing else changes.
#pragma once

#include <string>
#include <vector>

#include "src/config/option_spec.h"

namespace deepnet {

// Throws UserError (with a suggestion) for a subcommand that has no options table.
const CommandSpec& command_spec(const std::string& command);
std::vector<std::string> command_names();

// nullptr when absent.
const OptionSpec* find_option(const CommandSpec& spec, const std::string& name);
const OptionSpec* find_short_option(const CommandSpec& spec, char short_name);
// The option with the multi-letter single-dash alias `name` ("lc" for -lc), or nullptr.
const OptionSpec* find_dash_option(const CommandSpec& spec, const std::string& name);

// "unknown option 'enc-dpth' in run.yml line 3; did you mean 'enc-depth'?". prefix is
// "--" for command-line flags; where_phrase is e.g. "in run.yml line 3".
std::string unknown_option_message(const CommandSpec& spec, const std::string& name,
                                   const std::string& prefix, const std::string& where_phrase);

}  // namespace deepnet
