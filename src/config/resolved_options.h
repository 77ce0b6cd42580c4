// The resolved options of one subcommand: for each option its value and where that value
// came from (default, file:line, command line). The provenance is kept for error messages
// ("dim-emb 500 (run.yml line 2) ...") and for the comments --dump-config writes.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "src/config/option_spec.h"
#include "src/core/error.h"

namespace deepnet {

struct Provenance {
    enum class Kind { Default, File, CommandLine };
    Kind kind = Kind::Default;
    std::string file;  // as the user wrote it after --config
    int64_t line = 0;  // 1-based
    std::string via;   // the Marian option the value was derived from ("--fp16"); "" = given as is

    static Provenance in_file(std::string path, int64_t line);
    static Provenance command_line();

    // "the default", "run.yml line 3", "the command line"; with `via`: "the command line, via --fp16".
    std::string describe() const;
    std::string phrase() const;    // "by default", "in run.yml line 3", "on the command line"
};

// A Marian option that is not an option of deepnet's own (--type, --fp16, --sync-sgd, ...),
// kept as given until every source is read; marian_options.h decides what it does.
struct MarianSetting {
    std::string name;                // Marian's long name, without dashes
    std::vector<std::string> words;  // its value as words (a YAML list gives one word per item)
    Provenance source;
};

class ResolvedOptions {
public:
    // Every option of the command at its default.
    explicit ResolvedOptions(const CommandSpec& spec);

    const CommandSpec& spec() const { return *spec_; }
    const std::string& command() const { return spec_->name; }

    // get<int64_t>, get<double>, get<bool>, get<std::string>, get<std::vector<std::string>>,
    // get<std::vector<int64_t>>, get<std::vector<double>>, get<std::optional<double>>.
    template <class T>
    const T& get(const std::string& name) const {
        const T* v = std::get_if<T>(&value(name));
        DEEPNET_CHECK(v != nullptr, "option '" << name << "' read with the wrong C++ type");
        return *v;
    }

    const OptionValue& value(const std::string& name) const { return entry(name).value; }
    const Provenance& source(const std::string& name) const { return entry(name).source; }
    std::string where(const std::string& name) const { return source(name).describe(); }
    bool is_default(const std::string& name) const {
        return source(name).kind == Provenance::Kind::Default;
    }

    // nullptr when the command has no such option (unlike value(), which throws Error).
    const OptionSpec* find(const std::string& name) const;
    // All options of the command, in group order.
    std::vector<const OptionSpec*> options() const;

    // The value must already have been converted and checked against spec limits.
    void set(const std::string& name, OptionValue value, Provenance from);

    // Non-fatal findings of the cross-field checks, for the app layer to log.
    const std::vector<std::string>& warnings() const { return warnings_; }
    std::vector<std::string>& warnings() { return warnings_; }
    // Informational lines for the log (a Marian option accepted and ignored, and why).
    const std::vector<std::string>& notes() const { return notes_; }
    std::vector<std::string>& notes() { return notes_; }

    // Marian-only options in the order their sources were read; a later source replaces
    // the value an earlier one gave the same option (files in order, then the command line).
    void set_marian(MarianSetting setting);
    const std::vector<MarianSetting>& marian_settings() const { return marian_; }

private:
    struct Entry {
        const OptionSpec* spec;
        OptionValue value;
        Provenance source;
    };
    const Entry& entry(const std::string& name) const;

    const CommandSpec* spec_;
    std::vector<Entry> entries_;  // group order
    std::unordered_map<std::string, size_t> index_;
    std::vector<std::string> warnings_;
    std::vector<std::string> notes_;
    std::vector<MarianSetting> marian_;
};

}  // namespace deepnet
