// Words of Marian option values (see marian_words.h). parse_period lives beside the
// adapters that use it, in marian_values.cpp.
#include "src/config/marian_words.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "src/config/option_value.h"

namespace deepnet::marian {
namespace {

bool number(std::string s, double& out) {
    if (!s.empty() && (s.back() == 'f' || s.back() == 'F')) s.pop_back();
    if (s.empty() || std::isspace(static_cast<unsigned char>(s[0]))) return false;
    char* end = nullptr;
    out = std::strtod(s.c_str(), &end);
    return *end == '\0' && std::isfinite(out);
}

bool same_word(const std::string& a, const std::string& b) {
    if (a == b) return true;
    double x = 0, y = 0;
    if (number(a, x) && number(b, y)) return x == y;
    bool p = false, q = false;
    return parse_bool_word(a, p) && parse_bool_word(b, q) && p == q;
}

std::vector<std::string> without_lone_empty(std::vector<std::string> w) {
    if (w.size() == 1 && w[0].empty()) w.clear();
    return w;
}

}  // namespace

std::vector<std::string> words_from_yaml(const YAML::Node& node) {
    if (node.IsNull()) return {};
    if (node.IsScalar()) return {node.Scalar()};
    if (!node.IsSequence()) throw ValueError("expected a value or a list of values, got a map");
    std::vector<std::string> words;
    for (const auto& item : node) {
        if (!item.IsScalar()) throw ValueError("expected a list of values, got a nested list or map inside it");
        words.push_back(item.Scalar());
    }
    return words;
}

bool same_value(const std::vector<std::string>& words, const std::string& neutral) {
    std::vector<std::string> expected;
    std::istringstream in(neutral);
    for (std::string w; in >> w;) expected.push_back(w);
    const std::vector<std::string> given = without_lone_empty(words);
    if (given.size() != expected.size()) return false;
    for (size_t i = 0; i < given.size(); ++i)
        if (!same_word(given[i], expected[i])) return false;
    return true;
}

}  // namespace deepnet::marian
