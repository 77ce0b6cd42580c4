// Applying Marian's options (see marian_catalogue.h) once every source is read: a mapped
// option sets deepnet options (never one given explicitly, as Marian's own aliases never
// override explicit options), an ignored one adds one log line, a refused one is a
// UserError naming it, where it came from and what to use instead.
#pragma once

#include <string>
#include <vector>

#include "src/config/marian_catalogue.h"
#include "src/config/option_spec.h"
#include "src/config/resolved_options.h"

namespace deepnet {

void apply_marian_settings(ResolvedOptions& opts);

// The catalogue row of a deepnet option whose Marian value syntax needs an adapter
// (--dim-vocabs 8000 8000), or nullptr.
const MarianOption* marian_adapter_row(const std::string& command, const std::string& name);

// Runs a row's adapter on the words given for it (an identity without one); throws ValueError.
std::vector<std::string> adapt_marian_words(const MarianOption* row, const std::vector<std::string>& words);

namespace marian {

// How the user wrote the setting, for messages: "--fp16", "--transformer-postprocess dan".
std::string written(const MarianSetting& s);
// The one word of a One-arity setting ("" when none was given).
std::string word(const MarianSetting& s);
// A Flag setting: given bare, or with a true word.
bool flag_on(const MarianSetting& s);
// Sets deepnet's option `name` from the setting (provenance: the setting's, via it) unless
// the option was given explicitly; then it is kept, with a warning when the values differ.
void set_unless_given(ResolvedOptions& opts, const std::string& name, const OptionValue& value,
                      const MarianSetting& s);
// UserError: "option '--type s2s' (Marian's) on the command line: <why>".
[[noreturn]] void refuse(const MarianSetting& s, const std::string& why);

}  // namespace marian
}  // namespace deepnet
