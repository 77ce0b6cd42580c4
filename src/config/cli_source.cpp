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
#include "src/config/marian_options.h"
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

// A Marian option that is not deepnet's, named by a long or one-letter flag body.
const MarianOption* marian_only(const CommandSpec& spec, const std::string& body, bool is_long) {
    const MarianOption* m = is_long            ? find_marian_option(spec.name, body)
                            : body.size() == 1 ? find_marian_short(spec.name, body[0])
                                               : nullptr;
    return m != nullptr && m->kind != MarianKind::Same ? m : nullptr;
}

// Which option a flag names (deepnet's in s.spec, else Marian's in s.marian); the inline
// "=value" (if any) is split off into `inline_value`.
void resolve_flag(const CommandSpec& spec, const std::string& word, CliSetting& s, bool& has_inline,
                  std::string& inline_value) {
    std::string& flag = s.flag;
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
    else opt = find_dash_option(spec, body);
    s.spec = opt;
    if (opt == nullptr) s.marian = marian_only(spec, body, is_long);
    if (opt == nullptr && s.marian == nullptr)
        throw UserError(unknown_option_message(spec, body, is_long ? "--" : "-", "on the command line"));
}

// Marian's list arity: every word up to the next flag (also none, for an implicit value).
bool takes_many(const CommandSpec& spec, const CliSetting& s) {
    if (s.marian != nullptr) return s.marian->arity == MarianArity::List;
    return is_list(s.spec->type) || marian_adapter_row(spec.name, s.spec->name) != nullptr;
}

bool takes_bool_word(const CliSetting& s) {
    return s.marian != nullptr ? s.marian->arity == MarianArity::Flag : s.spec->type == OptionType::Bool;
}

std::string type_words(const CliSetting& s) {
    return s.spec != nullptr ? type_description(s.spec->type) : "a value";
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
        resolve_flag(spec, word, s, has_inline, inline_value);
        last_flag = s.flag;
        if (has_inline) s.words.push_back(inline_value);
        bool ignored = false;
        if (takes_many(spec, s)) {
            while (i < args.size() && !is_flag(args[i])) s.words.push_back(args[i++]);
        } else if (takes_bool_word(s)) {
            // Only a true/false word is taken, so `--quiet model.npz` stays an error, not a value.
            if (!has_inline && i < args.size() && parse_bool_word(args[i], ignored)) s.words.push_back(args[i++]);
        } else if (!has_inline) {
            DEEPNET_USER_CHECK(i < args.size() && !is_flag(args[i]),
                               "option '" << s.flag << "' on the command line needs a value ("
                                          << type_words(s) << ")");
            s.words.push_back(args[i++]);
        }

        CliSetting* earlier = nullptr;
        for (auto& e : out)
            if (e.spec == s.spec && e.marian == s.marian) earlier = &e;
        const bool list = s.spec != nullptr ? is_list(s.spec->type) : s.marian->arity == MarianArity::List;
        if (earlier == nullptr) out.push_back(std::move(s));
        else if (list) earlier->words.insert(earlier->words.end(), s.words.begin(), s.words.end());
        else
            throw UserError("option '--" + (s.spec != nullptr ? s.spec->name : s.marian->name) +
                            "' is given twice on the command line");
    }
    return out;
}

const CliSetting* find_setting(const std::vector<CliSetting>& settings, const std::string& name) {
    for (const auto& s : settings)
        if (s.spec != nullptr && s.spec->name == name) return &s;
    return nullptr;
}

void apply_command_line(ResolvedOptions& opts, const std::vector<CliSetting>& settings) {
    for (const auto& s : settings) {
        if (s.spec == nullptr) {
            opts.set_marian(MarianSetting{s.marian->name, s.words, Provenance::command_line()});
            continue;
        }
        OptionValue value;
        try {
            const MarianOption* adapter = marian_adapter_row(opts.command(), s.spec->name);
            value = value_from_words(*s.spec, adapt_marian_words(adapter, s.words));
            check_value(*s.spec, value);
        } catch (const ValueError& e) {
            throw UserError("option '" + s.flag + "' on the command line: " + e.what());
        }
        opts.set(s.spec->name, std::move(value), Provenance::command_line());
    }
}

}  // namespace deepnet
