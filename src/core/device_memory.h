// Allocation on a device: 64-byte aligned, zero-filled host memory on the CPU. On a CUDA
// device, one clear error until the GPU training step links the CUDA allocator
// (src/core/cuda_context.h's cuda_alloc) here; never a silent host allocation. Sizes are
// checked before anything is allocated.
#pragma once

#include <cstdint>

#include "src/core/tensor.h"

namespace deepnet {

// `what` names the buffer in the out-of-memory error ("parameters", "gradients", ...).
void* device_allocate(const Device& device, int64_t bytes, const char* what);
void device_release(const Device& device, void* p) noexcept;

}  // namespace deepnet
