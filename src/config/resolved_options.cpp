// ResolvedOptions: values with provenance (see resolved_options.h).
#include "src/config/resolved_options.h"

#include <utility>

namespace deepnet {

Provenance Provenance::in_file(std::string path, int64_t line) {
    Provenance p;
    p.kind = Kind::File;
    p.file = std::move(path);
    p.line = line;
    return p;
}

Provenance Provenance::command_line() {
    Provenance p;
    p.kind = Kind::CommandLine;
    return p;
}

std::string Provenance::describe() const {
    const std::string how = via.empty() ? "" : ", via " + via;
    switch (kind) {
    case Kind::Default: return "the default";
    case Kind::File: return file + " line " + std::to_string(line) + how;
    case Kind::CommandLine: return "the command line" + how;
    }
    return "?";
}

std::string Provenance::phrase() const {
    switch (kind) {
    case Kind::Default: return "by default";
    case Kind::File: return "in " + describe();
    case Kind::CommandLine: return "on " + describe();
    }
    return "?";
}

ResolvedOptions::ResolvedOptions(const CommandSpec& spec) : spec_(&spec) {
    for (const auto& group : spec.groups) {
        for (const auto& opt : group.options) {
            DEEPNET_CHECK(index_.count(opt.name) == 0,
                          "option '" << opt.name << "' registered twice for " << spec.name);
            DEEPNET_CHECK(opt.default_value.index() == size_t(opt.type),
                          "option '" << opt.name << "': default of the wrong type");
            index_[opt.name] = entries_.size();
            entries_.push_back(Entry{&opt, opt.default_value, Provenance{}});
        }
    }
}

const ResolvedOptions::Entry& ResolvedOptions::entry(const std::string& name) const {
    auto it = index_.find(name);
    DEEPNET_CHECK(it != index_.end(),
                  "'deepnet " << spec_->name << "' has no option '" << name << "'");
    return entries_[it->second];
}

const OptionSpec* ResolvedOptions::find(const std::string& name) const {
    auto it = index_.find(name);
    return it == index_.end() ? nullptr : entries_[it->second].spec;
}

std::vector<const OptionSpec*> ResolvedOptions::options() const {
    std::vector<const OptionSpec*> out;
    for (const auto& e : entries_) out.push_back(e.spec);
    return out;
}

void ResolvedOptions::set(const std::string& name, OptionValue value, Provenance from) {
    auto it = index_.find(name);
    DEEPNET_CHECK(it != index_.end(), "'deepnet " << spec_->name << "' has no option '" << name << "'");
    Entry& e = entries_[it->second];
    DEEPNET_CHECK(value.index() == size_t(e.spec->type), "option '" << name << "' set with the wrong type");
    e.value = std::move(value);
    e.source = std::move(from);
}

void ResolvedOptions::set_marian(MarianSetting setting) {
    for (auto& m : marian_)
        if (m.name == setting.name) {
            m = std::move(setting);
            return;
        }
    marian_.push_back(std::move(setting));
}

}  // namespace deepnet
