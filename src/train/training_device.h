// The device of `deepnet train --devices`: the CPU when the list is empty, else one GPU per
// process: a single process takes the one GPU listed; under mpirun each rank takes the
// entry of its rank on the node (local rank modulo the list's length, so `--devices 0 1`
// with 2 ranks per node gives each its own GPU). Checked before any data is read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "src/config/train_config.h"
#include "src/core/tensor.h"

namespace deepnet {

// world: the number of data-parallel ranks; local_rank: this rank's index on its node. A
// UserError for what is not supported.
Device training_device(const TrainConfig& cfg, int world, int local_rank);

// Logs the bytes of the weights, gradients and Adam moments beside the GPU's free memory,
// and refuses to start (UserError) when they do not fit, before any is allocated there.
void check_fits_on_gpu(int64_t state_bytes, size_t free_bytes, const std::string& gpu);

}  // namespace deepnet
