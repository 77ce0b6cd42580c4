// Strict YAML config loading (see yaml_source.h). The file is a flat map of Marian-style
// `option: value` lines, as in Marian's config files; Marian's own keys (a model.npz.yml)
// are read through the Marian catalogue: in Marian's value syntax, or kept for
// apply_marian_settings when deepnet has no option of that name.
#include "src/config/yaml_source.h"

#include <sys/stat.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "src/config/command_table.h"
#include "src/config/marian_options.h"
#include "src/config/marian_words.h"
#include "src/config/option_value.h"

namespace deepnet {
namespace {

// Sees the documents of a YAML stream go by, keeping where the last one started; the
// caller stops after two. (YAML::LoadAll is not used:
// yaml-cpp 0.7's loop never ends on some malformed input, e.g. a lone ",", and fills the
// memory; the fuzzer found it.)
class DocumentCounter : public YAML::EventHandler {
public:
    void OnDocumentStart(const YAML::Mark& mark) override { last_start = mark; }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
    YAML::Mark last_start;
};

// A config is a few kilobytes; the cap stops /dev/zero or a runaway pipe.
constexpr size_t kMaxConfigBytes = size_t(16) << 20;

std::string read_config_text(const std::string& path) {
    struct stat st {};
    DEEPNET_USER_CHECK(::stat(path.c_str(), &st) == 0, "cannot open config file '" << path << "': "
                                                                               << std::strerror(errno));
    DEEPNET_USER_CHECK(!S_ISDIR(st.st_mode), "config file '" << path << "' is a directory; give a YAML file");
    std::ifstream in(path, std::ios::binary);
    DEEPNET_USER_CHECK(in.good(), "cannot open config file '" << path << "': " << std::strerror(errno));
    std::string text;
    char chunk[65536];
    while (text.size() <= kMaxConfigBytes && in.read(chunk, sizeof chunk).gcount() > 0)
        text.append(chunk, size_t(in.gcount()));
    DEEPNET_USER_CHECK(text.size() <= kMaxConfigBytes,
                       "config file '" << path << "' is larger than " << kMaxConfigBytes << " bytes: not a config");
    return text;
}

YAML::Node load_yaml(const std::string& path) {
    const std::string text = read_config_text(path);
    try {
        YAML::Node root = YAML::Load(text);  // the first document; syntax errors throw here
        // A second document (after '---') would be ignored silently: say so instead.
        std::istringstream stream(text);
        YAML::Parser parser(stream);
        DocumentCounter counter;
        int documents = 0;
        while (documents < 2 && parser.HandleNextDocument(counter)) ++documents;
        DEEPNET_USER_CHECK(documents <= 1, path << " line " << counter.last_start.line + 1
                                                << ": a second YAML document (after '---', or text "
                                                << "yaml-cpp reads as one): a config file holds one map of "
                                                << "options; merge them or give two files");
        return root;
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
        const MarianOption* marian = find_marian_option(opts.command(), name);
        const bool marian_only = spec == nullptr && marian != nullptr && marian->kind != MarianKind::Same;
        if (spec == nullptr && !marian_only)
            throw UserError(unknown_option_message(opts.spec(), name, "", here.phrase()));
        DEEPNET_USER_CHECK(marian_only || !spec->cli_only, "option '" << name << "' " << here.phrase()
                                                                      << " can only be given on the command line");
        auto [prev, fresh] = seen.emplace(name, line);
        DEEPNET_USER_CHECK(fresh, "option '" << name << "' appears twice in " << path << " (lines "
                                             << prev->second << " and " << line << ")");
        OptionValue value;
        try {
            if (marian_only) {  // applied once every source is read (apply_marian_settings)
                opts.set_marian(MarianSetting{name, marian::words_from_yaml(pair.second), here});
                continue;
            }
            const MarianOption* adapter = marian_adapter_row(opts.command(), name);
            value = adapter != nullptr && !pair.second.IsNull()
                        ? value_from_words(*spec, adapt_marian_words(adapter, marian::words_from_yaml(pair.second)))
                        : value_from_yaml(*spec, pair.second);
            check_value(*spec, value);
        } catch (const ValueError& e) {
            throw UserError("option '" + name + "' " + here.phrase() + ": " + e.what());
        }
        opts.set(name, std::move(value), here);
    }
}

}  // namespace deepnet
