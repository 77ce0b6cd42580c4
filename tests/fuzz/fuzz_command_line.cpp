// libFuzzer target: the command line (parse_options) of `deepnet train` or, when the first
// byte is odd, `deepnet translate`; the rest of the input is the arguments, separated by
// NUL bytes. Then what the subcommand does next: help or the typed configs and
// --dump-config. A UserError is the expected answer to a bad command line; any other
// exception, crash or sanitizer report is a finding. (Arguments may name files, e.g.
// `-c PATH`: the target reads whatever they name, relative to the working directory.)
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "src/config/command_line.h"
#include "src/config/data_config.h"
#include "src/config/train_config.h"
#include "src/config/translate_config.h"
#include "src/core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const std::string command = (data[0] & 1) ? "translate" : "train";
    std::vector<std::string> args;
    if (size > 1) {
        const std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
        for (size_t start = 0;;) {
            const size_t end = rest.find('\0', start);
            args.push_back(rest.substr(start, end - start));
            if (end == std::string::npos) break;
            start = end + 1;
        }
    }
    try {
        const deepnet::ResolvedOptions opts = deepnet::parse_options(command, args);
        const deepnet::CommonConfig common = deepnet::common_config_from(opts);
        if (common.help) {
            (void)deepnet::help_text(command);
            return 0;
        }
        (void)deepnet::dump_config_yaml(opts);
        if (command == "train") {
            (void)deepnet::model_config_from(opts);
            (void)deepnet::train_config_from(opts);
            (void)deepnet::data_config_from(opts);
        } else {
            (void)deepnet::translate_config_from(opts);
        }
    } catch (const deepnet::UserError&) {
    }
    return 0;
}
