// Builders for option rows (see option_spec.h).
#include "src/config/option_spec.h"

#include <utility>

namespace deepnet {

OptionSpec& OptionSpec::range(double lo, double hi) {
    bounds = Bounds{lo, hi, false, false};
    return *this;
}

OptionSpec& OptionSpec::at_least(double lo) {
    bounds = Bounds{lo, std::nullopt, false, false};
    return *this;
}

OptionSpec& OptionSpec::above(double lo) {
    bounds = Bounds{lo, std::nullopt, true, false};
    return *this;
}

OptionSpec& OptionSpec::fraction() {
    bounds = Bounds{0.0, 1.0, false, true};
    return *this;
}

OptionSpec& OptionSpec::one_of(std::vector<std::string> allowed) {
    choices = std::move(allowed);
    return *this;
}

OptionSpec& OptionSpec::alias(char short_flag) {
    short_name = short_flag;
    return *this;
}

OptionSpec& OptionSpec::dash_alias(std::string name) {
    dash_name = std::move(name);
    return *this;
}

OptionSpec& OptionSpec::command_line_only() {
    cli_only = true;
    return *this;
}

OptionSpec& OptionSpec::metavar(std::string name_in_help) {
    value_name = std::move(name_in_help);
    return *this;
}

namespace {
OptionSpec make(std::string name, OptionType type, OptionValue def, std::string help) {
    OptionSpec s;
    s.name = std::move(name);
    s.type = type;
    s.default_value = std::move(def);
    s.help = std::move(help);
    return s;
}
}  // namespace

OptionSpec int_option(std::string name, int64_t def, std::string help) {
    return make(std::move(name), OptionType::Int, def, std::move(help));
}
OptionSpec double_option(std::string name, double def, std::string help) {
    return make(std::move(name), OptionType::Double, def, std::move(help));
}
OptionSpec bool_option(std::string name, bool def, std::string help) {
    return make(std::move(name), OptionType::Bool, def, std::move(help));
}
OptionSpec string_option(std::string name, std::string def, std::string help) {
    return make(std::move(name), OptionType::String, std::move(def), std::move(help));
}
OptionSpec string_list_option(std::string name, std::vector<std::string> def, std::string help) {
    return make(std::move(name), OptionType::StringList, std::move(def), std::move(help));
}
OptionSpec int_list_option(std::string name, std::vector<int64_t> def, std::string help) {
    return make(std::move(name), OptionType::IntList, std::move(def), std::move(help));
}
OptionSpec double_list_option(std::string name, std::vector<double> def, std::string help) {
    return make(std::move(name), OptionType::DoubleList, std::move(def), std::move(help));
}
OptionSpec optional_double_option(std::string name, std::string help) {
    return make(std::move(name), OptionType::OptionalDouble, std::optional<double>{},
                std::move(help));
}

const char* type_description(OptionType type) {
    switch (type) {
    case OptionType::Int: return "an integer";
    case OptionType::Double: return "a number";
    case OptionType::Bool: return "true or false";
    case OptionType::String: return "a string";
    case OptionType::StringList: return "a list of strings";
    case OptionType::IntList: return "a list of integers";
    case OptionType::DoubleList: return "a list of numbers";
    case OptionType::OptionalDouble: return "a number or null";
    }
    return "a value";
}

}  // namespace deepnet
