// Ceilings on a model's shape, checked before anything is allocated, with overflow-safe
// arithmetic: a config or model file from a stranger gets a clear error, never an integer
// overflow, a huge allocation or a write out of bounds.
//   depth per stack <= 1000, dim-emb <= 65536, heads <= 1024, FFN <= 1048576,
//   vocabulary 5 .. 16777216, and at most 2^36 parameters (275 GB of float32)
#pragma once

#include <cstdint>
#include <string>

#include "src/model/model_config.h"

namespace deepnet {

constexpr int64_t kMaxDepth = 1000;
constexpr int64_t kMaxDimEmb = 65536;
constexpr int64_t kMaxHeads = 1024;
constexpr int64_t kMaxDimFfn = 1 << 20;
constexpr int64_t kMaxVocab = 1 << 24;
constexpr int64_t kMaxParameters = int64_t(1) << 36;

// Throws UserError naming `origin` (a file, "the command line") and the first value out
// of range, or a dim-emb that heads do not divide.
void check_model_config(const ModelConfig& cfg, const std::string& origin);

// a * b for sizes, or UserError naming `what` on overflow or a negative operand.
int64_t checked_mul(int64_t a, int64_t b, const std::string& what);

// Physical memory of this machine in bytes (0 when unknown).
int64_t physical_memory_bytes();

// UserError when `bytes` exceed the physical memory: `what` says what needs them and
// `advice` what to change.
void check_fits_in_memory(int64_t bytes, const std::string& what, const std::string& advice);

}  // namespace deepnet
