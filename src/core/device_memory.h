// Memory on a device: allocation (64-byte aligned, zero-filled), copies between any two
// devices, and zeroing. On the CPU these are aligned_alloc, memcpy and memset. On a CUDA
// device they are cudaMalloc, cudaMemcpy and cudaMemset (src/core/cuda_context.h), in a
// binary that has the CUDA room (DEEPNET_OPS_CUDA: the real CUDA build and the emulated
// one link this file's CUDA variant); elsewhere one clear error, never a silent host
// allocation. Sizes are checked before anything is allocated.
//
// Copies and zeroing are synchronous: they wait for the device's earlier work first, so a
// copy never races a kernel still reading or writing the buffer. They are for batch
// uploads, loss read-back, checkpoints and resume, not for the inner loop of a kernel.
#pragma once

#include <cstddef>
#include <cstdint>

#include "src/core/tensor.h"

namespace deepnet {

// `what` names the buffer in the out-of-memory error ("parameters", "gradients", ...).
// Both report to the allocator statistics (memory_stats.h): release takes the bytes that
// were allocated.
void* device_allocate(const Device& device, int64_t bytes, const char* what);
void device_release(const Device& device, void* p, int64_t bytes) noexcept;

// bytes from src (on src_device) to dst (on dst_device).
void device_copy(const Device& dst_device, void* dst, const Device& src_device, const void* src, size_t bytes);
void device_zero(const Device& device, void* p, size_t bytes);

}  // namespace deepnet
