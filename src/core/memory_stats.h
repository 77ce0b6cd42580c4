// What the device allocator holds: bytes in use now and their peak, per device (the CPU and
// each CUDA device apart). device_allocate and device_release report here, so every arena
// and DeviceBuffer is counted; memory a library allocates itself (BLAS, cuBLASLt's handle,
// the CUDA context) is not. The memory plan (src/model/memory_estimate.h) is tested against
// this peak, and --mini-batch-fit measures batches with it.
#pragma once

#include <cstdint>

#include "src/core/tensor.h"

namespace deepnet {

struct MemoryStats {
    int64_t in_use = 0;  // bytes
    int64_t peak = 0;    // bytes, since the start or the last reset_memory_peak
};

MemoryStats memory_stats(const Device& device);
// The peak restarts from what is in use now.
void reset_memory_peak(const Device& device);

// For the allocator only (src/core/device_memory.cpp).
void record_allocation(const Device& device, int64_t bytes) noexcept;
void record_release(const Device& device, int64_t bytes) noexcept;

}  // namespace deepnet
