// Typed training options (group "Training"), filled once from the resolved options. The
// defaults live in the option table (src/config/options_*.cpp), not here: the zeros below
// are placeholders that train_config() always overwrites.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "src/config/dist_config.h"
#include "src/config/resolved_options.h"
#include "src/core/tensor.h"

namespace deepnet {

// Marian's --cost-scaling: the gradient is computed for scale x loss and divided by scale
// before the update; `frequency` finite updates in a row multiply the scale by
// `multiplier`, a non-finite gradient divides it (down to `minimum`) and skips the update.
struct CostScaling {
    bool on = false;
    double scale = 1, multiplier = 2, minimum = 1;
    int64_t frequency = 2000;
};

struct TrainConfig {
    std::string model_path;
    bool no_reload = false;
    std::string pretrained_model;  // a fresh run's initial weights and vocabulary; "" = init
    int64_t after_epochs = 0, after_batches = 0;
    double learn_rate = 0;
    int64_t lr_warmup = 0, lr_decay_inv_sqrt = 0;
    double beta1 = 0.9, beta2 = 0.98, eps = 1e-8, weight_decay = 0;
    double clip_norm = 0;
    int64_t optimizer_delay = 1;
    DType gemm_type = DType::F32;  // precision: [bfloat16|float16, float32]: the GEMM operands
    CostScaling cost_scaling;
    std::vector<int64_t> devices;  // GPU ids (Marian's --devices); empty = the CPU
    int64_t workspace_mb = 2048;   // activations and scratch; < 0: the GPU's free memory minus this
    bool dump_memory = false;
    double exponential_smoothing = 0;
    int64_t max_skipped_updates = 20;
    int64_t disp_freq = 100, save_freq = 1000, valid_freq = 1000;
    int64_t keep_checkpoints = 1;  // besides <model>: the last N as <model>.iter<U> copies
    std::vector<std::string> valid_metrics;
    int64_t early_stopping = 10;
    int64_t beam_size = 4;
    double normalize = 0.6;
    int64_t valid_mini_batch = 32, valid_max_sentences = 0;
    int64_t log_update_norms = 0;  // 0 = off; src/train/update_diagnostics.h
    std::string valid_translation_output;
    std::string valid_script_path;               // Marian's: run on the translations ("" = none)
    std::vector<std::string> valid_script_args;  // between the script and the translation file
    bool keep_best = true;   // save <model-stem>.best-<metric>.safetensors at each improvement
    std::string valid_log;   // also write the validation lines here ("" = no)
    std::string log_json;  // resolved: a path, or empty = off
    DistConfig dist;       // group "Distributed" (under mpirun)
};

TrainConfig train_config_from(const ResolvedOptions& opts);

// The names valid-metrics accepts (and deepnet average --valid-metric): one list for both.
const std::vector<std::string>& validation_metric_names();
// "a, b or c" of the names, for help texts and messages.
std::string validation_metric_list();

}  // namespace deepnet
