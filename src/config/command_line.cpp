// parse_options and help_text (see command_line.h).
#include "src/config/command_line.h"

#include <sstream>

#include "src/config/cli_source.h"
#include "src/config/command_table.h"
#include "src/config/marian_options.h"
#include "src/config/option_value.h"
#include "src/config/yaml_source.h"

namespace deepnet {

ResolvedOptions parse_options(const std::string& command, const std::vector<std::string>& args) {
    const CommandSpec& spec = command_spec(command);
    const std::vector<CliSetting> cli = scan_command_line(spec, args);
    ResolvedOptions opts(spec);

    if (const CliSetting* help = find_setting(cli, "help")) {
        apply_command_line(opts, {*help});
        if (opts.get<bool>("help")) return opts;
    }
    if (const CliSetting* config = find_setting(cli, "config"))
        for (const auto& path : config->words) apply_config_file(opts, path);
    apply_command_line(opts, cli);
    apply_marian_settings(opts);
    for (const auto& check : spec.checks) check(opts, opts.warnings());
    return opts;
}

namespace {

std::string metavariable(const OptionSpec& o) {
    if (!o.choices.empty()) {
        std::string s;
        for (const auto& c : o.choices) s += (s.empty() ? "" : "|") + c;
        return s;
    }
    if (!o.value_name.empty()) return o.type == OptionType::StringList ? o.value_name + " ..." : o.value_name;
    switch (o.type) {
    case OptionType::Int: return "INT";
    case OptionType::Double:
    case OptionType::OptionalDouble: return "FLOAT";
    case OptionType::Bool: return o.cli_only ? "" : "[true|false]";
    case OptionType::String: return "STR";
    case OptionType::StringList: return "STR ...";
    case OptionType::IntList: return "INT ...";
    case OptionType::DoubleList: return "FLOAT ...";
    }
    return "VALUE";
}

// Word-wraps text into lines of at most `width` characters, continuation lines indented
// to `column`, so help stays readable on an 100-column terminal.
std::string wrap(const std::string& text, size_t column, size_t width) {
    std::istringstream words(text);
    std::string word, out;
    size_t used = column;
    while (words >> word) {
        if (used > column && used + 1 + word.size() > width) {
            out += "\n" + std::string(column, ' ');
            used = column;
        } else if (used > column) {
            out += ' ';
            ++used;
        }
        out += word;
        used += word.size();
    }
    return out;
}

std::string default_text(const OptionSpec& o) {
    if (o.type == OptionType::OptionalDouble && !std::get<std::optional<double>>(o.default_value))
        return "unset";
    return format_value(o.default_value);
}

}  // namespace

std::string help_text(const std::string& command) {
    const CommandSpec& spec = command_spec(command);
    std::ostringstream os;
    os << "Usage: deepnet " << spec.name << " [options]\n" << spec.summary << "\n\n"
       << "Options come from their defaults, then each --config file in order (later files\n"
       << "override earlier ones), then the command line, which overrides everything.\n";
    if (!marian_catalogue(command).empty())
        os << "Marian's options (" << (command == "train" ? "marian" : "marian-decoder")
           << ") are accepted too: `deepnet --marian-options` (docs/marian.md)\n"
           << "says what each one does here.\n";
    constexpr size_t kColumn = 40, kWidth = 100;
    for (const auto& group : spec.groups) {
        os << "\n" << group.name << ":\n";
        for (const auto& o : group.options) {
            std::string left = "  ";
            if (o.short_name != 0) left += std::string("-") + o.short_name + ", ";
            if (!o.dash_name.empty()) left += "-" + o.dash_name + ", ";
            left += "--" + o.name;
            if (!metavariable(o).empty()) left += " " + metavariable(o);
            os << left;
            if (left.size() + 1 >= kColumn) os << "\n" << std::string(kColumn, ' ');
            else os << std::string(kColumn - left.size(), ' ');
            std::string text = o.help;
            if (!o.cli_only) text += " (default: " + default_text(o) + ")";
            if (o.bounds.lo || o.bounds.hi) text += " [" + describe_bounds(o.bounds) + "]";
            os << wrap(text, kColumn, kWidth) << "\n";
        }
    }
    return os.str();
}

}  // namespace deepnet
