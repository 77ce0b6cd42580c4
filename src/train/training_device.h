// The device of `deepnet train --devices`: the CPU when the list is empty, else its one GPU.
// Checked before any data is read: one GPU, in a single process (several GPUs and GPU ranks
// under mpirun come with the multi-GPU trainer), float32 (bf16 on a GPU is not built yet).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "src/config/train_config.h"
#include "src/core/tensor.h"

namespace deepnet {

// world: the number of data-parallel ranks. A UserError for what is not supported.
Device training_device(const TrainConfig& cfg, int world);

// Logs the bytes of the weights, gradients and Adam moments beside the GPU's free memory,
// and refuses to start (UserError) when they do not fit, before any is allocated there.
void check_fits_on_gpu(int64_t state_bytes, size_t free_bytes, const std::string& gpu);

}  // namespace deepnet
