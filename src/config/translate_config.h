// Typed forms of option groups "Translate", "Score" and "Average" (deepnet translate, score, average),
// filled once from the resolved options so that src/translate/ and the app layer never look
// up an option by its key. Rows and cross-field checks: options_translate.cpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "src/config/resolved_options.h"
#include "src/core/tensor.h"

namespace deepnet {

struct TranslateConfig {
    std::string model;            // the model file (safetensors with metadata)
    std::string input;            // "" or "stdin" = standard input
    std::string output;           // "" or "stdout" = standard output
    int64_t beam_size = 4;        // 1 = greedy
    double normalize = 0.6;       // score / length^normalize (0 = raw score)
    double max_length_factor = 3; // output length limit, times the source length
    int64_t max_length = 1000;    // source tokens (tag included, </s> not)
    bool max_length_crop = true;  // crop longer input (warning); false = error
    int64_t mini_batch = 32;      // sentences per decoder batch
    int64_t maxi_batch = 100;     // mini-batches read ahead and sorted by length
    bool n_best = false;          // Marian n-best lines instead of the best translation
    std::string target_lang;      // multilingual models: the tag <2xx> to put on the source
    bool allow_unk = false;
    std::vector<int64_t> devices; // one GPU id; empty = the CPU
    DType gemm = DType::F32;      // --precision: the GEMM operands' type
};

struct ScoreConfig {
    std::string model;
    std::vector<std::string> train_sets;  // exactly two: source file, target file
    std::string output;
    bool normalize = false;               // divide by the target length (tokens + </s>)
    int64_t max_length = 1000;            // per side, as in TranslateConfig
    bool max_length_crop = true;
    int64_t mini_batch = 32;
    int64_t maxi_batch = 100;
    std::string target_lang;
    std::vector<int64_t> devices;
    DType gemm = DType::F32;
};

struct AverageConfig {
    std::vector<std::string> models;  // files to average, or one training model (last/best)
    std::string output;
    int64_t last = 0, best = 0;       // 0 = off; at most one of them
    std::string valid_metric;         // for best; "" = the run's first metric
    std::string log_json;             // for best; "" = <model>.train.jsonl
};

// Need groups "Translate" / "Score" (throw deepnet::Error for a subcommand without them).
TranslateConfig translate_config_from(const ResolvedOptions& opts);
ScoreConfig score_config_from(const ResolvedOptions& opts);
AverageConfig average_config_from(const ResolvedOptions& opts);

}  // namespace deepnet
