// libFuzzer target: a YAML config file (apply_config_file) applied to the train defaults,
// followed by what `deepnet train -c file` does next: the cross-field checks, the typed
// configs and --dump-config. A UserError is the expected answer to a bad config; any other
// exception, crash or sanitizer report is a finding.
#include <cstddef>
#include <cstdint>

#include "fuzz_input.h"
#include "src/config/command_line.h"
#include "src/config/data_config.h"
#include "src/config/train_config.h"
#include "src/config/yaml_source.h"
#include "src/core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const deepnet::ResolvedOptions defaults = deepnet::parse_options("train", {});
    deepnet::ResolvedOptions opts = defaults;
    try {
        deepnet::apply_config_file(opts, deepnet::fuzz::input_file(data, size));
        for (const auto& check : opts.spec().checks) check(opts, opts.warnings());
        (void)deepnet::common_config_from(opts);
        (void)deepnet::model_config_from(opts);
        (void)deepnet::train_config_from(opts);
        (void)deepnet::data_config_from(opts);
        (void)deepnet::dump_config_yaml(opts);
    } catch (const deepnet::UserError&) {
    }
    return 0;
}
