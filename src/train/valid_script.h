// Marian's external validation script (--valid-script-path, --valid-script-args). As in
// Marian, the command `<script> <args...> [translation file]` is run by the shell (so
// "bash ./validate.sh" works), and the number its stdout starts with is the score, higher
// being better: valid-metrics translation passes the file of the validation translations,
// valid-script passes nothing (the script validates on its own).
#pragma once

#include <string>
#include <vector>

namespace deepnet {

struct ValidScript {
    std::string path;               // as given: the shell splits it, like Marian's
    std::vector<std::string> args;  // inserted between the script and the file, also unquoted
};

// Runs the script (with `file` as its last, quoted argument; "" = none) and returns the
// number its output starts with. UserError when it cannot be started, exits non-zero or
// prints no number, quoting what it printed.
double run_valid_script(const ValidScript& script, const std::string& file);

// valid-metrics translation: writes `translations` one per line to `output` (a temporary
// file, removed afterwards, when "") and scores them with the script.
double score_translations(const ValidScript& script, const std::vector<std::string>& translations,
                          const std::string& output);

}  // namespace deepnet
