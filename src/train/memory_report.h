// The memory plan of a training run (src/model/memory_estimate.h) as the run sees it: the
// setting its options make, the largest batch its batcher can build, the workspace budget
// (Marian's -w), and the lines printed before the first update and by --dump-memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include "src/config/data_config.h"
#include "src/config/train_config.h"
#include "src/model/memory_estimate.h"

namespace deepnet {

TrainingMemorySetting memory_setting(const TrainConfig& cfg, int64_t world);

// The largest padded batch the batcher may build: both sides at max-length + 1 positions
// (</s> included), as many sentences as mini-batch-words (and mini-batch) allow, or as the
// --mini-batch-fit table allows once it is filled.
BatchShape largest_batch_shape(const DataConfig& data);

// Without --mini-batch-fit the batcher caps padded *target* tokens only, so a batch of short
// targets beside the longest sources can outgrow largest_batch_shape: the line that says how
// far (the worst over target lengths 2, 4, 8, ... up to max-length + 1), or "" when it does not.
std::string worst_batch_line(const ModelConfig& model, const TrainingMemorySetting& setting, const DataConfig& data);

// --workspace in bytes; a negative -N is the GPU's free memory minus N MB. 0 when that
// cannot be known (a negative value without a GPU to ask).
int64_t workspace_bytes(const TrainConfig& cfg, size_t gpu_free_bytes);

// The printed plan: one line per part, the totals, and the largest batch of the longest
// lengths that fits the workspace.
std::vector<std::string> memory_plan_lines(const ModelConfig& model, const TrainingMemorySetting& setting,
                                           const BatchShape& batch, const std::string& device,
                                           int64_t workspace);

// Whether an exception is the device allocators' OutOfMemory (CPU or GPU) or the host's
// std::bad_alloc.
bool is_out_of_memory(const std::exception& e);

}  // namespace deepnet
