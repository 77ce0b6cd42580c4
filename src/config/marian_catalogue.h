// The catalogue of Marian's options: every option of `marian --help` (training) and
// `marian-decoder --help` (marian-dev's src/common/config_parser.cpp), and what deepnet does
// with it. A Marian command or model.npz.yml therefore runs unchanged wherever the meaning
// is the same, and otherwise says exactly why not:
//   Same     deepnet has the option under the same name (an adapter may translate Marian's
//            value syntax, e.g. --dim-vocabs 8000 8000 or --valid-metrics ce-mean-words);
//   Mapped   not an option of deepnet's, but it sets deepnet options (--fp16, --type ...);
//   Ignored  no meaning here: accepted with one log line (none at Marian's default value);
//   Refused  not supported: a UserError saying what to use instead (none at the default).
// The command-line and YAML readers consult it for names that are not deepnet options;
// marian_options.h applies the settings; docs/marian.md is generated from it.
#pragma once

#include <string>
#include <vector>

#include "src/config/resolved_options.h"

namespace deepnet {

enum class MarianKind { Same, Mapped, Ignored, Refused };

// How many words the option takes on the command line. List also covers Marian's options
// with an implicit value (--exponential-smoothing alone means 1e-4): every word up to the
// next flag, possibly none.
enum class MarianArity { Flag, One, List };

// Marian's value words -> the words deepnet's option of the same name reads; throws ValueError.
using MarianAdapter = std::vector<std::string> (*)(const std::vector<std::string>& words);
// Sets deepnet options from a Mapped setting (never over one given explicitly), or throws UserError.
using MarianMapper = void (*)(ResolvedOptions& opts, const MarianSetting& setting);

struct MarianOption {
    std::string name;        // Marian's long name
    char short_name = 0;     // Marian's short flag, e.g. 'w' for -w; 0 = none
    MarianArity arity = MarianArity::One;
    MarianKind kind = MarianKind::Same;
    // Ignored / Refused: Marian's default as words separated by spaces: that value asks for
    // nothing, so it passes silently (model.npz.yml files list every option). "*" = none.
    std::string neutral;
    std::string note;        // what deepnet does: the docs/marian.md cell, the log line, the error
    MarianAdapter adapt = nullptr;  // Same only
    MarianMapper map = nullptr;     // Mapped only
};

struct MarianGroup {
    std::string title;  // as in Marian's --help ("Model options", ...)
    std::vector<MarianOption> options;
};

// The groups of `marian` (for "train") or `marian-decoder` (for "translate"); empty for a
// subcommand Marian has no counterpart of here.
const std::vector<MarianGroup>& marian_catalogue(const std::string& command);
// nullptr when Marian's program has no such option.
const MarianOption* find_marian_option(const std::string& command, const std::string& name);
const MarianOption* find_marian_short(const std::string& command, char short_name);
// Names of Marian's options that are not deepnet's (for "did you mean" suggestions).
std::vector<std::string> marian_only_names(const std::string& command);

// docs/marian.md's tables, one per program (printed by `deepnet --marian-options`).
std::string marian_catalogue_markdown();

}  // namespace deepnet
