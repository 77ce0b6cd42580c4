// Converting option values: command-line words and YAML nodes -> OptionValue (strictly
// typed), checking limits and allowed values, and formatting a value back as YAML text
// that converts to the identical value (the --dump-config round trip depends on it).
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "src/config/option_spec.h"

namespace YAML {
class Node;
}

namespace deepnet {

// The reason only ("expected an integer, got 'six'"); the caller adds the option name and
// where the value came from, so every message the user sees has both.
class ValueError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Words given after a flag on the command line (none for a bare bool flag).
OptionValue value_from_words(const OptionSpec& spec, const std::vector<std::string>& words);
// A YAML value; a scalar counts as a one-element list, null as an empty list / unset.
OptionValue value_from_yaml(const OptionSpec& spec, const YAML::Node& node);
// Bounds and allowed values; throws ValueError.
void check_value(const OptionSpec& spec, const OptionValue& value);

// true/false/yes/no/on/off/1/0, any case.
bool parse_bool_word(const std::string& word, bool& out);

// YAML flow text: 6, 0.1, true, "", [a.en, a.de], null.
std::string format_value(const OptionValue& value);
// Shortest text that reads back as exactly the same double.
std::string format_double(double v);
// Bounds in words: ">= 1 and <= 1000".
std::string describe_bounds(const Bounds& b);

}  // namespace deepnet
