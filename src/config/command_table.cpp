// The table of subcommands: which option groups, cross-field checks and derived values
// each one has. One line per subcommand; groups are shared (General is everywhere).
#include "src/config/command_table.h"

#include "src/config/marian_catalogue.h"
#include "src/config/option_groups.h"
#include "src/config/suggest.h"
#include "src/core/error.h"

namespace deepnet {
namespace {

const std::vector<CommandSpec>& command_table() {
    static const std::vector<CommandSpec> table = {
        {"train", "Train a Transformer NMT model.",
         {general_options(), model_options(), data_options(), training_options(), dist_options()},
         {check_model_options, check_data_options, check_training_options},
         {derive_model_values}},
        {"eval", "Score hypotheses against references: BLEU and chrF, sacreBLEU 2.x compatible.",
         {general_options(), eval_options()}, {}, {}},
        {"generate-task", "Write the built-in translation task (train/valid/test files).",
         {general_options(), generate_task_options()}, {}, {}},
        {"translate", "Translate text with a trained model.", {general_options(), translate_options()}, {}, {}},
        {"score", "Score sentence pairs with a trained model.", {general_options(), score_options()}, {}, {}},
        {"average", "Average the weights of checkpoints of one model.",
         {general_options(), average_options()}, {}, {}},
    };
    return table;
}

std::vector<std::string> option_names(const CommandSpec& spec) {
    std::vector<std::string> names;
    for (const auto& g : spec.groups)
        for (const auto& o : g.options) names.push_back(o.name);
    return names;
}

}  // namespace

std::vector<std::string> command_names() {
    std::vector<std::string> names;
    for (const auto& c : command_table()) names.push_back(c.name);
    return names;
}

const CommandSpec& command_spec(const std::string& command) {
    for (const auto& c : command_table())
        if (c.name == command) return c;
    std::string msg = "unknown subcommand '" + command + "'";
    const std::string near = closest_match(command, command_names());
    if (!near.empty()) msg += "; did you mean '" + near + "'?";
    throw UserError(msg);
}

const OptionSpec* find_option(const CommandSpec& spec, const std::string& name) {
    for (const auto& g : spec.groups)
        for (const auto& o : g.options)
            if (o.name == name) return &o;
    return nullptr;
}

const OptionSpec* find_short_option(const CommandSpec& spec, char short_name) {
    for (const auto& g : spec.groups)
        for (const auto& o : g.options)
            if (o.short_name != 0 && o.short_name == short_name) return &o;
    return nullptr;
}

const OptionSpec* find_dash_option(const CommandSpec& spec, const std::string& name) {
    for (const auto& g : spec.groups)
        for (const auto& o : g.options)
            if (!o.dash_name.empty() && o.dash_name == name) return &o;
    return nullptr;
}

std::string unknown_option_message(const CommandSpec& spec, const std::string& name,
                                   const std::string& prefix, const std::string& where_phrase) {
    std::string msg = "unknown option '" + prefix + name + "' " + where_phrase;
    std::vector<std::string> names = option_names(spec);
    for (const auto& m : marian_only_names(spec.name)) names.push_back(m);  // Marian's are accepted too
    const std::string near = closest_match(name, names);
    // A misspelt short flag (-cfg) is closest to a long name, written with "--".
    const std::string near_prefix = prefix == "-" ? "--" : prefix;
    if (!near.empty()) return msg + "; did you mean '" + near_prefix + near + "'?";
    // A real option of another subcommand (beam-size given to train) deserves a clearer hint.
    for (const auto& other : command_table())
        if (find_option(other, name) != nullptr)
            return msg + "; '" + name + "' is an option of 'deepnet " + other.name +
                   "', not of 'deepnet " + spec.name + "'";
    return msg + " (see 'deepnet " + spec.name + " --help')";
}

}  // namespace deepnet
