// Words of Marian option values: Marian's counts with units (16000u, 10e, 100Ku), YAML
// values as words (the form the command line gives them in), and comparing a value with
// Marian's default the way Marian reads it (8 = 8.0 = 8.f, true = yes).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace YAML {
class Node;
}

namespace deepnet::marian {

// Marian's SchedulerPeriod: a whole count with an optional K/M/G multiplier and unit
// u (updates, the default), e (epochs) or t (target labels).
struct Period {
    int64_t count = 0;
    char unit = 'u';
};
Period parse_period(const std::string& text);  // throws ValueError

// A scalar is one word, a list one word per item, null none; throws ValueError for a map.
std::vector<std::string> words_from_yaml(const YAML::Node& node);

// True when `words` say the same as `neutral` (words separated by spaces): numbers compare
// by value (a trailing 'f' allowed), true/false words by meaning, a lone "" as no words.
bool same_value(const std::vector<std::string>& words, const std::string& neutral);

}  // namespace deepnet::marian
