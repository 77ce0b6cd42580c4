// Applying Marian's options (see marian_options.h).
#include "src/config/marian_options.h"

#include "src/config/marian_rows.h"
#include "src/config/marian_words.h"
#include "src/config/option_value.h"
#include "src/core/error.h"

namespace deepnet {
namespace marian {

std::string written(const MarianSetting& s) {
    std::string out = (s.source.kind == Provenance::Kind::CommandLine ? "--" : "") + s.name;
    for (const auto& w : s.words) out += " " + (w.empty() ? std::string("\"\"") : w);
    return out;
}

std::string word(const MarianSetting& s) { return s.words.empty() ? "" : s.words[0]; }

bool flag_on(const MarianSetting& s) {
    bool on = true;
    return s.words.empty() || (parse_bool_word(s.words[0], on) && on);
}

void set_unless_given(ResolvedOptions& opts, const std::string& name, const OptionValue& value,
                      const MarianSetting& s) {
    if (opts.is_default(name)) {
        Provenance p = s.source;
        p.via = written(s);
        opts.set(name, value, p);
        return;
    }
    if (opts.value(name) != value)
        opts.warnings().push_back(name + " " + format_value(opts.value(name)) + " (" + opts.where(name) +
                                  ") is kept: Marian's " + written(s) + " (" + s.source.describe() +
                                  ") would make it " + format_value(value) +
                                  ", but like Marian's shortcuts it only sets options not given explicitly");
}

void refuse(const MarianSetting& s, const std::string& why) {
    throw UserError("option '" + written(s) + "' (Marian's) " + s.source.phrase() + ": " + why);
}

}  // namespace marian

namespace {

// Marian's arity, checked here because a config file gives any shape of value.
void check_arity(const MarianOption& row, MarianSetting& s) {
    bool ignored = false;
    const bool bool_words = s.words.empty() || (s.words.size() == 1 && parse_bool_word(s.words[0], ignored));
    if (row.arity == MarianArity::Flag && !bool_words)
        marian::refuse(s, "expected true or false (or nothing, meaning true)");
    if (row.arity == MarianArity::One && s.words.size() > 1)
        marian::refuse(s, "expected one value, got " + std::to_string(s.words.size()));
    if (row.arity == MarianArity::One && s.words.empty()) s.words.push_back("");  // YAML `key:` = ""
}

// A value that asks for nothing: Marian's default (a bare flag means true).
bool asks_nothing(const MarianOption& row, const MarianSetting& s) {
    if (row.neutral == "*") return false;
    if (row.arity == MarianArity::Flag) return marian::same_value({marian::flag_on(s) ? "true" : "false"}, row.neutral);
    return marian::same_value(s.words, row.neutral);
}

std::string refusal(const std::string& note) {
    return note.rfind("not supported", 0) == 0 ? note : "not supported: " + note;
}

}  // namespace

void apply_marian_settings(ResolvedOptions& opts) {
    const std::vector<MarianSetting> settings = opts.marian_settings();  // mappers change opts
    for (MarianSetting s : settings) {
        const MarianOption* row = find_marian_option(opts.command(), s.name);
        DEEPNET_CHECK(row != nullptr && row->kind != MarianKind::Same,
                      "'" << s.name << "' is not a Marian-only option");
        check_arity(*row, s);
        if (row->kind == MarianKind::Mapped) row->map(opts, s);
        else if (asks_nothing(*row, s)) continue;
        else if (row->kind == MarianKind::Refused) marian::refuse(s, refusal(row->note));
        else
            opts.notes().push_back(marian::written(s) + " (Marian's option, " + s.source.describe() +
                                   ") is accepted and ignored: " + row->note);
    }
    if (opts.command() == "train") marian::map_transformer_norm(opts);
}

const MarianOption* marian_adapter_row(const std::string& command, const std::string& name) {
    const MarianOption* row = find_marian_option(command, name);
    return row != nullptr && row->kind == MarianKind::Same && row->adapt != nullptr ? row : nullptr;
}

std::vector<std::string> adapt_marian_words(const MarianOption* row, const std::vector<std::string>& words) {
    return row != nullptr && row->adapt != nullptr ? row->adapt(words) : words;
}

}  // namespace deepnet
