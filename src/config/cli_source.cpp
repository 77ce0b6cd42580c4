// Command-line scanning and applying (see cli_source.h).
//
// Why not CLI11 here: the option table is the single source of truth, and a hand-written
// scanner over it gives the same strict typed conversion as the YAML path (one parser for
// "six"), "did you mean" suggestions for unknown flags, provenance, Marian's
// `--flag [true|false]` bools and `--list a b c` lists, without registering every option
// twice. src/main.cpp may still use CLI11 to pick the subcommand.
#include "src/config/cli_source.h"

#include <cctype>

#include "src/config/command_table.h"
#include "src/config/option_value.h"
#include "src/core/error.h"

namespace deepnet {
namespace {

// "--x" or "-x" with a non-digit x; "-1", "-.5" and "-" (stdin) are values.
bool is_flag(const std::string& w) {
    if (w.size() < 2 || w[0] != '-') return false;
    return w[1] == '-' || !(std::isdigit(static_cast<unsigned char>(w[1])) || w[1] == '.');
}

bool is_list(OptionType t) {
    return t == OptionType::StringList || t == OptionType::IntList || t == OptionType::DoubleList;
}

// Which option a flag names; the inline "=value" (if any) is split off into `inline_value`.
const OptionSpec* resolve_flag(const CommandSpec& spec, const std::string& word, std::string& flag,
                               bool& has_inline, std::string& inline_value) {
    const bool is_long = word.compare(0, 2, "--") == 0;
    std::string body = word.substr(is_long ? 2 : 1);
    const size_t eq = body.find('=');
    has_inline = eq != std::string::npos;
    if (has_inline) {
        inline_value = body.substr(eq + 1);
        body = body.substr(0, eq);
    }
    flag = (is_long ? "--" : "-") + body;
    const OptionSpec* opt = nullptr;
    if (is_long) opt = find_option(spec, body);
    else if (body.size() == 1) opt = find_short_option(spec, body[0]);
    if (opt == nullptr)
        throw UserError(unknown_option_message(spec, body, is_long ? "--" : "-", "on the command line"));
    return opt;
}

}  // namespace

std::vector<CliSetting> scan_command_line(const CommandSpec& spec, const std::vector<std::string>& args) {
    std::vector<CliSetting> out;
    std::string last_flag;
    for (size_t i = 0; i < args.size();) {
        const std::string& word = args[i++];
        if (!is_flag(word))
            throw UserError("unexpected argument '" + word + "' on the command line" +
                            (last_flag.empty() ? "" : " after '" + last_flag + "'") +
                            " (options are written --name value)");
        CliSetting s;
        bool has_inline = false;
        std::string inline_value;
        s.spec = resolve_flag(spec, word, s.flag, has_inline, inline_value);
        last_flag = s.flag;
        if (has_inline) s.words.push_back(inline_value);
        bool ignored = false;
        if (is_list(s.spec->type)) {
            while (i < args.size() && !is_flag(args[i])) s.words.push_back(args[i++]);
        } else if (s.spec->type == OptionType::Bool) {
            // Only a true/false word is taken, so `--quiet model.npz` stays an error, not a value.
            if (!has_inline && i < args.size() && parse_bool_word(args[i], ignored)) s.words.push_back(args[i++]);
        } else if (!has_inline) {
            DEEPNET_USER_CHECK(i < args.size() && !is_flag(args[i]),
                               "option '" << s.flag << "' on the command line needs a value ("
                                          << type_description(s.spec->type) << ")");
            s.words.push_back(args[i++]);
        }

        CliSetting* earlier = nullptr;
        for (auto& e : out)
            if (e.spec == s.spec) earlier = &e;
        if (earlier == nullptr) out.push_back(std::move(s));
        else if (is_list(s.spec->type)) earlier->words.insert(earlier->words.end(), s.words.begin(), s.words.end());
        else throw UserError("option '--" + s.spec->name + "' is given twice on the command line");
    }
    return out;
}

const CliSetting* find_setting(const std::vector<CliSetting>& settings, const std::string& name) {
    for (const auto& s : settings)
        if (s.spec->name == name) return &s;
    return nullptr;
}

void apply_command_line(ResolvedOptions& opts, const std::vector<CliSetting>& settings) {
    for (const auto& s : settings) {
        OptionValue value;
        try {
            value = value_from_words(*s.spec, s.words);
            check_value(*s.spec, value);
        } catch (const ValueError& e) {
            throw UserError("option '" + s.flag + "' on the command line: " + e.what());
        }
        opts.set(s.spec->name, std::move(value), Provenance::command_line());
    }
}

}  // namespace deepnet
