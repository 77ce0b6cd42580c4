// Typed conversion and checking of option values (see option_value.h). Command-line words
// and YAML scalars go through the same text parsers, so "six" is rejected the same way
// from either source.
#include "src/config/option_value.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "src/config/suggest.h"
#include "src/core/utf8.h"

namespace deepnet {
namespace {

std::string lower(std::string s) {
    for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// Leading blanks would be accepted by strtoll/strtod; a config value with them is a typo.
bool starts_blank(const std::string& s) {
    return s.empty() || std::isspace(static_cast<unsigned char>(s[0]));
}

int64_t int_from_text(const std::string& s) {
    errno = 0;
    char* end = nullptr;
    const long long v = starts_blank(s) ? 0 : std::strtoll(s.c_str(), &end, 10);
    if (starts_blank(s) || *end != '\0' || errno == ERANGE)
        throw ValueError("expected an integer, got '" + s + "'");
    return int64_t(v);
}

double double_from_text(const std::string& s) {
    errno = 0;
    char* end = nullptr;
    const double v = starts_blank(s) ? 0 : std::strtod(s.c_str(), &end);
    if (starts_blank(s) || *end != '\0' || errno == ERANGE || !std::isfinite(v))
        throw ValueError("expected a number, got '" + s + "'");
    return v;
}

bool bool_from_text(const std::string& s) {
    bool b = false;
    if (!parse_bool_word(s, b)) throw ValueError("expected true or false, got '" + s + "'");
    return b;
}

// A single value of a scalar type from its text.
OptionValue scalar_from_text(OptionType type, const std::string& s) {
    switch (type) {
    case OptionType::Int: return int_from_text(s);
    case OptionType::Double: return double_from_text(s);
    case OptionType::Bool: return bool_from_text(s);
    case OptionType::String: return s;
    case OptionType::OptionalDouble:
        if (lower(s) == "null" || s == "~") return std::optional<double>{};
        return std::optional<double>{double_from_text(s)};
    default: break;
    }
    throw ValueError("internal: not a scalar type");
}

OptionValue list_from_texts(OptionType type, const std::vector<std::string>& items) {
    switch (type) {
    case OptionType::StringList: return items;
    case OptionType::IntList: {
        std::vector<int64_t> v;
        for (const auto& s : items) v.push_back(int_from_text(s));
        return v;
    }
    case OptionType::DoubleList: {
        std::vector<double> v;
        for (const auto& s : items) v.push_back(double_from_text(s));
        return v;
    }
    default: break;
    }
    throw ValueError("internal: not a list type");
}

bool is_list(OptionType t) {
    return t == OptionType::StringList || t == OptionType::IntList || t == OptionType::DoubleList;
}

const char* node_kind(const YAML::Node& n) {
    if (n.IsMap()) return "a map";
    if (n.IsSequence()) return "a list";
    if (n.IsNull()) return "nothing";
    return "a scalar";
}

bool within(const Bounds& b, double x) {
    if (b.lo && (b.lo_open ? !(x > *b.lo) : !(x >= *b.lo))) return false;
    if (b.hi && (b.hi_open ? !(x < *b.hi) : !(x <= *b.hi))) return false;
    return true;
}

void check_number(const Bounds& b, double x, const std::string& text) {
    if (!within(b, x))
        throw ValueError(text + " is out of range (must be " + describe_bounds(b) + ")");
}

// Option values are stored in every model file's metadata (JSON strings): text that is not
// UTF-8 would only fail at the first save, after hours of training.
void check_choice(const std::vector<std::string>& choices, const std::string& s) {
    if (const auto bad = find_invalid_utf8(s))
        throw ValueError("the value is not valid UTF-8 (byte offset " + std::to_string(*bad) + ")");
    if (choices.empty() || std::find(choices.begin(), choices.end(), s) != choices.end()) return;
    std::string all;
    for (const auto& c : choices) all += (all.empty() ? "" : ", ") + c;
    std::string msg = "'" + s + "' is not one of " + all;
    const std::string near = closest_match(s, choices);
    if (!near.empty()) msg += "; did you mean '" + near + "'?";
    throw ValueError(msg);
}

}  // namespace

bool parse_bool_word(const std::string& word, bool& out) {
    const std::string w = lower(word);
    if (w == "true" || w == "yes" || w == "on" || w == "1") return out = true, true;
    if (w == "false" || w == "no" || w == "off" || w == "0") return out = false, true;
    return false;
}

OptionValue value_from_words(const OptionSpec& spec, const std::vector<std::string>& words) {
    if (is_list(spec.type)) return list_from_texts(spec.type, words);
    if (spec.type == OptionType::Bool && words.empty()) return true;
    if (words.size() != 1)
        throw ValueError(std::string("expected ") + type_description(spec.type) + ", got " +
                         std::to_string(words.size()) + " values");
    return scalar_from_text(spec.type, words[0]);
}

OptionValue value_from_yaml(const OptionSpec& spec, const YAML::Node& node) {
    const std::string expected = std::string("expected ") + type_description(spec.type);
    if (is_list(spec.type)) {
        std::vector<std::string> items;
        if (node.IsScalar()) items.push_back(node.Scalar());
        else if (node.IsSequence()) {
            for (const auto& item : node) {
                if (!item.IsScalar()) throw ValueError(expected + ", got " + node_kind(item) + " inside it");
                items.push_back(item.Scalar());
            }
        } else if (!node.IsNull()) throw ValueError(expected + ", got " + node_kind(node));
        return list_from_texts(spec.type, items);
    }
    if (node.IsNull() && spec.type == OptionType::OptionalDouble) return std::optional<double>{};
    if (node.IsNull() && spec.type == OptionType::String) return std::string();
    if (!node.IsScalar()) throw ValueError(expected + ", got " + node_kind(node));
    return scalar_from_text(spec.type, node.Scalar());
}

void check_value(const OptionSpec& spec, const OptionValue& value) {
    std::visit(
        [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, int64_t>) check_number(spec.bounds, double(v), std::to_string(v));
            else if constexpr (std::is_same_v<T, double>) check_number(spec.bounds, v, format_double(v));
            else if constexpr (std::is_same_v<T, std::optional<double>>) {
                if (v) check_number(spec.bounds, *v, format_double(*v));
            } else if constexpr (std::is_same_v<T, std::string>) check_choice(spec.choices, v);
            else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
                for (const auto& s : v) check_choice(spec.choices, s);
            } else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
                for (int64_t x : v) check_number(spec.bounds, double(x), std::to_string(x));
            } else if constexpr (std::is_same_v<T, std::vector<double>>) {
                for (double x : v) check_number(spec.bounds, x, format_double(x));
            }
        },
        value);
}

std::string format_double(double v) {
    char buf[40];
    // Whole numbers as integers: %g's shortest form of 1000 would be "1e+03".
    if (v == std::trunc(v) && std::fabs(v) < 1e15) {
        std::snprintf(buf, sizeof(buf), "%.0f", v);
        return buf;
    }
    for (int precision = 1; precision <= 17; ++precision) {
        std::snprintf(buf, sizeof(buf), "%.*g", precision, v);
        if (std::strtod(buf, nullptr) == v) break;
    }
    return buf;
}

std::string describe_bounds(const Bounds& b) {
    std::string s;
    if (b.lo) s += std::string(b.lo_open ? "> " : ">= ") + format_double(*b.lo);
    if (b.hi) s += std::string(s.empty() ? "" : " and ") + (b.hi_open ? "< " : "<= ") + format_double(*b.hi);
    return s;
}

namespace {
std::string yaml_string(const std::string& s) {
    YAML::Emitter e;
    e << s;
    return e.c_str();
}
}  // namespace

std::string format_value(const OptionValue& value) {
    return std::visit(
        [](const auto& v) -> std::string {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, int64_t>) return std::to_string(v);
            else if constexpr (std::is_same_v<T, double>) return format_double(v);
            else if constexpr (std::is_same_v<T, bool>) return v ? "true" : "false";
            else if constexpr (std::is_same_v<T, std::string>) return yaml_string(v);
            else if constexpr (std::is_same_v<T, std::optional<double>>) return v ? format_double(*v) : "null";
            else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
                // The emitter quotes what flow context needs (commas, brackets, "null").
                YAML::Emitter e;
                e << YAML::Flow << v;
                return e.c_str();
            } else {
                std::string out = "[";
                for (size_t i = 0; i < v.size(); ++i) {
                    if (i) out += ", ";
                    if constexpr (std::is_same_v<T, std::vector<double>>) out += format_double(v[i]);
                    else out += std::to_string(v[i]);
                }
                return out + "]";
            }
        },
        value);
}

}  // namespace deepnet
