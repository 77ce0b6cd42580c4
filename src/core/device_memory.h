// Allocation on a device: 64-byte aligned, zero-filled host memory on the CPU; the CUDA
// allocator where the CUDA backend is linked (a binary without it says so, never a silent
// host allocation). Sizes are checked before anything is allocated.
#pragma once

#include <cstdint>

#include "src/core/tensor.h"

namespace deepnet {

// `what` names the buffer in the out-of-memory error ("parameters", "gradients", ...).
void* device_allocate(const Device& device, int64_t bytes, const char* what);
void device_release(const Device& device, void* p) noexcept;

}  // namespace deepnet
