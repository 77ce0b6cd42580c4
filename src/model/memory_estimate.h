// The training memory plan: the device bytes one training step of a model takes, by part,
// predicted from the model's shape, the batch's shape and the training setting, before
// anything is allocated. It mirrors what the layers allocate (src/layers/*.h: the *Saved
// and *Scratch buffers), so a change there changes this file too; tests hold the two to
// within 5 % of the allocator's measured peak (src/core/memory_stats.h).
//
// Shapes: B sentences, S source and T target positions (with </s>, as make_batch pads),
// N = B*S or B*T rows, C model dim, F FFN dim, H heads, V vocabulary, P parameters.
// docs/memory.md gives the formulas.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "src/core/tensor.h"
#include "src/model/model_config.h"

namespace deepnet {

struct BatchShape {
    int64_t B = 0, S = 0, T = 0;
};

// What besides the model decides the bytes.
struct TrainingMemorySetting {
    DeviceKind device = DeviceKind::CPU;
    DType gemm = DType::F32;        // 16-bit GEMMs stage operand copies on a GPU
    bool weight_average = false;    // --exponential-smoothing keeps a copy of the weights
    int64_t moment_shards = 1;      // --optimizer-sharding over this many ranks (ZeRO-1)
    int64_t gpu_workspace = 0;      // cuBLASLt workspace + op scratch of a GPU context (bytes)
};

struct MemoryPart {
    std::string name;
    int64_t bytes = 0;
    std::string detail;  // how it is made up, for the printed plan
};

struct TrainingMemoryPlan {
    // The training state, whatever the batch: parameters, gradients, optimizer moments,
    // master weights, weight average.
    std::vector<MemoryPart> state;
    // What the batch takes: activations kept per layer, recomputed, the output layer,
    // backward scratch, workspace.
    std::vector<MemoryPart> batch;
    int64_t encoder_layer_bytes = 0, decoder_layer_bytes = 0;  // kept per layer
    int64_t state_bytes() const;
    int64_t batch_bytes() const;
    int64_t total() const;  // each sum checked for overflow (a UserError)
};

TrainingMemoryPlan plan_training_memory(const ModelConfig& cfg, const TrainingMemorySetting& setting,
                                        const BatchShape& batch);

// The most sentences of S source and T target positions whose batch bytes fit in `budget`
// (0 when not even one does).
int64_t largest_batch(const ModelConfig& cfg, const TrainingMemorySetting& setting, int64_t S, int64_t T,
                      int64_t budget);

// "1.25 GiB", "512.0 MiB", "64 B".
std::string format_bytes(int64_t bytes);

}  // namespace deepnet
