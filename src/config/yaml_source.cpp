// Strict YAML config loading (see yaml_source.h). The file is a flat map of Marian-style
// `option: value` lines, as in Marian's config files.
#include "src/config/yaml_source.h"

#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <vector>

#include "src/config/command_table.h"
#include "src/config/option_value.h"

namespace deepnet {
namespace {

YAML::Node load_yaml(const std::string& path) {
    struct stat st {};
    DEEPNET_USER_CHECK(::stat(path.c_str(), &st) == 0, "cannot open config file '" << path << "': "
                                                                               << std::strerror(errno));
    DEEPNET_USER_CHECK(!S_ISDIR(st.st_mode), "config file '" << path << "' is a directory; give a YAML file");
    std::ifstream in(path);
    DEEPNET_USER_CHECK(in.good(), "cannot open config file '" << path << "': " << std::strerror(errno));
    try {
        std::vector<YAML::Node> docs = YAML::LoadAll(in);
        // A second document (after '---') would be ignored silently: say so instead.
        DEEPNET_USER_CHECK(docs.size() <= 1, path << " line " << docs[1].Mark().line + 1
                                                  << ": a second YAML document ('---'); a config file "
                                                  << "holds one map of options: merge them or give two files");
        return docs.empty() ? YAML::Node() : docs.front();
    } catch (const YAML::Exception& e) {
        // yaml-cpp marks are 0-based.
        throw UserError("YAML syntax error in " + path + " line " + std::to_string(e.mark.line + 1) +
                        " column " + std::to_string(e.mark.column + 1) + ": " + e.msg);
    }
}

}  // namespace

void apply_config_file(ResolvedOptions& opts, const std::string& path) {
    const YAML::Node root = load_yaml(path);
    if (root.IsNull()) return;  // empty file or comments only
    DEEPNET_USER_CHECK(root.IsMap(), path << " line " << root.Mark().line + 1
                                          << ": a config file must be a map of 'option: value' lines");
    std::map<std::string, int64_t> seen;  // yaml-cpp keeps duplicate keys; Marian would too, silently
    for (const auto& pair : root) {
        const YAML::Node key = pair.first;
        const int64_t line = key.Mark().line + 1;
        const Provenance here = Provenance::in_file(path, line);
        DEEPNET_USER_CHECK(key.IsScalar(), "option names must be plain words " << here.phrase());
        const std::string name = key.Scalar();

        const OptionSpec* spec = opts.find(name);
        if (spec == nullptr) throw UserError(unknown_option_message(opts.spec(), name, "", here.phrase()));
        DEEPNET_USER_CHECK(!spec->cli_only, "option '" << name << "' " << here.phrase()
                                                       << " can only be given on the command line");
        auto [prev, fresh] = seen.emplace(name, line);
        DEEPNET_USER_CHECK(fresh, "option '" << name << "' appears twice in " << path << " (lines "
                                             << prev->second << " and " << line << ")");
        OptionValue value;
        try {
            value = value_from_yaml(*spec, pair.second);
            check_value(*spec, value);
        } catch (const ValueError& e) {
            throw UserError("option '" + name + "' " + here.phrase() + ": " + e.what());
        }
        opts.set(name, std::move(value), here);
    }
}

}  // namespace deepnet
