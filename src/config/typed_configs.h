// Typed structs filled once from the resolved options, so that code outside src/config/
// never looks up an option by its string key. ModelConfig lives in src/model/.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "src/config/resolved_options.h"
#include "src/model/model_config.h"

namespace deepnet {

// Group "General", present in every subcommand.
struct CommonConfig {
    std::vector<std::string> config_files;  // in the order they were applied
    bool dump_config = false;
    bool help = false;
    uint64_t seed = 1111;
    int64_t cpu_threads = 0;  // 0 = all cores
    bool quiet = false;
    std::string log_file;     // empty = stderr only
};

CommonConfig common_config_from(const ResolvedOptions& opts);

// Needs group "Model" (throws deepnet::Error for a subcommand without it). pad/unk/bos/eos
// ids are not options: they are fixed by how the SentencePiece model is trained.
ModelConfig model_config_from(const ResolvedOptions& opts);

}  // namespace deepnet
