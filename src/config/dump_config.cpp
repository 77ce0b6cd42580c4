// --dump-config: the resolved options as Marian-style `key: value` YAML, one option per
// line in group order, each value commented with where it came from. Values go through
// format_value, whose text converts back to the identical value, so the dump is a config
// file that reproduces the run. DeepNorm alpha/beta are printed as the numbers the model
// uses (derived from the depths when unset), which pins them when a checkpoint's config is
// reused; check_model_options warns if a later edit of the depths makes them stale.
#include <map>
#include <sstream>

#include "src/config/command_line.h"
#include "src/config/option_value.h"

namespace deepnet {
namespace {

std::string comment_for(const ResolvedOptions& opts, const std::string& name,
                        const std::map<std::string, DerivedValue>& derived) {
    auto d = derived.find(name);
    if (d != derived.end() && !d->second.note.empty()) return d->second.note;
    const Provenance& p = opts.source(name);
    return p.kind == Provenance::Kind::Default ? "" : p.describe();
}

}  // namespace

std::string dump_config_yaml(const ResolvedOptions& opts) {
    std::map<std::string, DerivedValue> derived;
    for (const auto& derive : opts.spec().derived)
        for (auto& [name, value] : derive(opts)) derived[name] = value;

    std::ostringstream os;
    os << "# deepnet " << opts.command() << ": resolved options (defaults < --config files < command line)\n";
    for (const auto& path : opts.get<std::vector<std::string>>("config")) os << "# config file: " << path << "\n";
    constexpr size_t kCommentColumn = 40;
    for (const auto& group : opts.spec().groups) {
        os << "\n# " << group.name << "\n";
        for (const auto& o : group.options) {
            if (o.cli_only) continue;
            auto d = derived.find(o.name);
            const OptionValue& v = d != derived.end() ? d->second.value : opts.value(o.name);
            const std::string line = o.name + ": " + format_value(v);
            const std::string comment = comment_for(opts, o.name, derived);
            os << line;
            if (!comment.empty())
                os << std::string(line.size() + 2 < kCommentColumn ? kCommentColumn - line.size() : 2, ' ')
                   << "# " << comment;
            os << "\n";
        }
    }
    return os.str();
}

}  // namespace deepnet
