// Device memory (see device_memory.h). Compiled twice: into the core library (CPU only) and,
// with DEEPNET_OPS_CUDA, into the CUDA room that CUDA-capable binaries link first.
#include "src/core/device_memory.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

#include "src/core/error.h"
#include "src/core/out_of_memory.h"
#include "src/core/memory_stats.h"
#ifdef DEEPNET_OPS_CUDA
#include "src/core/cuda_context.h"
#endif

namespace deepnet {

namespace {
constexpr int64_t kAlign = 64;  // a cache line; AVX-512 loads never split

#ifndef DEEPNET_OPS_CUDA
[[noreturn]] void no_cuda(const Device& device, const std::string& what) {
    throw UserError(what + " on " + device_name(device) +
                    ": this deepnet binary was built without the CUDA backend (build on a machine with nvcc, "
                    "see docs/cuda.md)");
}
#endif
}  // namespace

void* device_allocate(const Device& device, int64_t bytes, const char* what) {
    DEEPNET_CHECK(bytes >= 0 && bytes <= (int64_t(1) << 48), "allocating " << what << ": " << bytes << " bytes");
    if (device.kind == DeviceKind::CUDA) {
#ifdef DEEPNET_OPS_CUDA
        const CudaDeviceScope on(device.index);
        void* p = cuda_alloc(size_t(std::max<int64_t>(bytes, 1)), what);
        cuda_zero(p, size_t(std::max<int64_t>(bytes, 1)));
        record_allocation(device, bytes);
        return p;
#else
        no_cuda(device, std::string("allocating ") + what);
#endif
    }
    const size_t rounded = size_t((std::max<int64_t>(bytes, 1) + kAlign - 1) / kAlign * kAlign);
    void* p = std::aligned_alloc(size_t(kAlign), rounded);
    if (!p) throw OutOfMemory(std::string("out of memory allocating ") + what + ": " + std::to_string(bytes) + " bytes");
    std::memset(p, 0, rounded);
    record_allocation(device, bytes);
    return p;
}

void device_release(const Device& device, void* p, int64_t bytes) noexcept {
    if (p) record_release(device, bytes);
    if (device.kind == DeviceKind::CPU) {
        std::free(p);
        return;
    }
#ifdef DEEPNET_OPS_CUDA
    try {
        const CudaDeviceScope on(device.index);
        cuda_free(p);
    } catch (...) {  // no device to switch to: nothing of it to free either
    }
#endif
}

void device_copy(const Device& dst_device, void* dst, const Device& src_device, const void* src, size_t bytes) {
    if (bytes == 0) return;
    if (dst_device.kind == DeviceKind::CPU && src_device.kind == DeviceKind::CPU) {
        std::memmove(dst, src, bytes);
        return;
    }
#ifdef DEEPNET_OPS_CUDA
    const CudaDeviceScope on(dst_device.kind == DeviceKind::CUDA ? dst_device.index : src_device.index);
    cuda_copy(dst, src, bytes);
#else
    no_cuda(dst_device.kind == DeviceKind::CUDA ? dst_device : src_device, "copying memory");
#endif
}

void device_zero(const Device& device, void* p, size_t bytes) {
    if (bytes == 0) return;
    if (device.kind == DeviceKind::CPU) {
        std::memset(p, 0, bytes);
        return;
    }
#ifdef DEEPNET_OPS_CUDA
    const CudaDeviceScope on(device.index);
    cuda_zero(p, bytes);
#else
    no_cuda(device, "zeroing memory");
#endif
}

}  // namespace deepnet
