// The command line after the subcommand: `--name value...`, `--name=value`, `-c a b`,
// bare bool flags. Scanning (which word belongs to which flag) is separate from applying
// (typed conversion) because --config files must be read after scanning and before the
// command-line values are applied, which override them.
#pragma once

#include <string>
#include <vector>

#include "src/config/marian_catalogue.h"
#include "src/config/option_spec.h"
#include "src/config/resolved_options.h"

namespace deepnet {

struct CliSetting {
    const OptionSpec* spec = nullptr;      // deepnet's option, or nullptr for
    const MarianOption* marian = nullptr;  // a Marian option that is not deepnet's (--fp16)
    std::string flag;                // as typed, for messages: "-c", "--enc-depth"
    std::vector<std::string> words;  // the values after it (none for a bare bool flag)
};

// Throws UserError for an unknown flag (with the closest valid one), a scalar option given
// twice or without its value, and a stray word. A list option given twice accumulates.
// Marian's options are scanned with Marian's arity (marian_catalogue.h): --dim-vocabs 8000
// 8000 takes both words, --exponential-smoothing may take none.
std::vector<CliSetting> scan_command_line(const CommandSpec& spec, const std::vector<std::string>& args);

// nullptr when the option was not given.
const CliSetting* find_setting(const std::vector<CliSetting>& settings, const std::string& name);

// Converts, checks and stores every setting with provenance "command line" (a Marian-only
// one as a MarianSetting, applied later by apply_marian_settings).
void apply_command_line(ResolvedOptions& opts, const std::vector<CliSetting>& settings);

}  // namespace deepnet
