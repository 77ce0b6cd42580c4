// Option rows: every option of every subcommand is ONE OptionSpec (Marian-style name, type,
// default, help, limits), collected in named groups; a subcommand is a list of groups plus
// its cross-field checks. The rows themselves live in options_<group>.cpp, the table of
// subcommands in command_table.cpp. Nothing outside src/config/ reads options by string
// key except through the typed structs of typed_configs.h.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace deepnet {

enum class OptionType { Int, Double, Bool, String, StringList, IntList, DoubleList, OptionalDouble };

// One alternative per OptionType, in the same order, so value.index() == int(type).
using OptionValue =
    std::variant<int64_t, double, bool, std::string, std::vector<std::string>,
                 std::vector<int64_t>, std::vector<double>, std::optional<double>>;

// Numeric limits for Int, Double, OptionalDouble and the elements of numeric lists.
struct Bounds {
    std::optional<double> lo, hi;
    bool lo_open = false, hi_open = false;  // true: strict inequality
};

struct OptionSpec {
    std::string name;  // Marian spelling, e.g. "enc-depth"; also the YAML key
    OptionType type = OptionType::Int;
    OptionValue default_value;
    std::string help;
    char short_name = 0;      // e.g. 'c' for -c; 0 = none
    std::string dash_name;    // a multi-letter single-dash alias, sacreBLEU style: "lc" for -lc
    bool cli_only = false;    // config, dump-config, help: meaningless inside a config file
    Bounds bounds;
    std::vector<std::string> choices;  // for String / StringList: the allowed values
    std::string value_name;            // metavariable shown by --help (FILE, ...)

    // Chainable modifiers so that a registration stays a single row.
    OptionSpec& range(double lo, double hi);  // lo <= x <= hi
    OptionSpec& at_least(double lo);          // x >= lo
    OptionSpec& above(double lo);             // x > lo
    OptionSpec& fraction();                   // 0 <= x < 1 (dropout, smoothing)
    OptionSpec& one_of(std::vector<std::string> allowed);
    OptionSpec& alias(char short_flag);
    OptionSpec& dash_alias(std::string name);  // -name (two or more letters), as sacreBLEU's -lc
    OptionSpec& command_line_only();
    OptionSpec& metavar(std::string name);
};

OptionSpec int_option(std::string name, int64_t def, std::string help);
OptionSpec double_option(std::string name, double def, std::string help);
OptionSpec bool_option(std::string name, bool def, std::string help);
OptionSpec string_option(std::string name, std::string def, std::string help);
OptionSpec string_list_option(std::string name, std::vector<std::string> def, std::string help);
OptionSpec int_list_option(std::string name, std::vector<int64_t> def, std::string help);
OptionSpec double_list_option(std::string name, std::vector<double> def, std::string help);
OptionSpec optional_double_option(std::string name, std::string help);  // default: unset

struct OptionGroup {
    std::string name;  // heading in --help and --dump-config
    std::vector<OptionSpec> options;
};

class ResolvedOptions;

// A rule over several options, run once all sources are applied. Throws UserError naming
// where each offending value came from; may append warnings for the app to log.
using CrossCheck = std::function<void(const ResolvedOptions&, std::vector<std::string>& warnings)>;

// A value --dump-config prints in place of the stored one (e.g. DeepNorm constants derived
// from the depths), with a note for the trailing comment ("" = print the provenance).
struct DerivedValue {
    OptionValue value;
    std::string note;
};
using DeriveFn = std::function<std::map<std::string, DerivedValue>(const ResolvedOptions&)>;

struct CommandSpec {
    std::string name;     // "train"
    std::string summary;  // one line for --help
    std::vector<OptionGroup> groups;
    std::vector<CrossCheck> checks;
    std::vector<DeriveFn> derived;
};

// "an integer", "a list of numbers", ...: used in type errors.
const char* type_description(OptionType type);

}  // namespace deepnet
