// Model options from stored YAML text (see model_yaml.h).
#include "src/config/model_yaml.h"

#include <yaml-cpp/yaml.h>

#include "src/config/command_table.h"
#include "src/config/option_groups.h"
#include "src/config/option_value.h"
#include "src/config/typed_configs.h"

namespace deepnet {

ModelConfig model_config_from_yaml_text(const std::string& yaml, const std::string& origin) {
    YAML::Node root;
    try {
        root = YAML::Load(yaml);
    } catch (const YAML::Exception& e) {
        throw UserError("the config stored in " + origin + " is not valid YAML: " + e.msg);
    }
    DEEPNET_USER_CHECK(root.IsMap(), "the config stored in " << origin << " is not a YAML map");
    ResolvedOptions opts(command_spec("train"));
    const OptionGroup model = model_options();
    for (const OptionSpec& o : model.options) {
        const YAML::Node v = root[o.name];
        if (!v) continue;
        try {
            OptionValue value = value_from_yaml(o, v);
            check_value(o, value);
            opts.set(o.name, std::move(value), Provenance::in_file(origin, v.Mark().line + 1));
        } catch (const ValueError& e) {
            throw UserError("option '" + o.name + "' stored in " + origin + ": " + e.what());
        }
    }
    return model_config_from(opts);
}

}  // namespace deepnet
