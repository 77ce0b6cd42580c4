// The CUDA device context (see cuda_context.h). Host code only; compiled by nvcc because it
// is part of the CUDA build (deepnet_cuda), never of a CPU-only one.
#include "src/core/cuda_context.h"

#include <cublasLt.h>
#include <cuda_runtime.h>

#include <cstdio>

#include "src/core/error.h"
#include "src/core/out_of_memory.h"

#define DEEPNET_CUDA_OK(expr)                                                       \
    do {                                                                            \
        const cudaError_t e_ = (expr);                                              \
        DEEPNET_CHECK(e_ == cudaSuccess, "CUDA error: " << cudaGetErrorString(e_)); \
    } while (0)

namespace deepnet {
namespace {

std::string gib(size_t bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f GiB", double(bytes) / double(size_t(1) << 30));
    return buf;
}

}  // namespace

int cuda_device_count() {
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess) {
        cudaGetLastError();  // clear the sticky "no device" error
        return 0;
    }
    return n;
}

CudaDeviceInfo cuda_device_info(int device) {
    CudaDeviceInfo d;
    cudaDeviceProp p{};
    DEEPNET_CUDA_OK(cudaGetDeviceProperties(&p, device));
    d.index = device;
    d.name = p.name;
#ifdef DEEPNET_CUDA_EMULATED
    d.emulated = true;
#endif
    d.cc_major = p.major;
    d.cc_minor = p.minor;
    d.sm_count = p.multiProcessorCount;
    d.total_bytes = p.totalGlobalMem;
    d.l2_bytes = size_t(p.l2CacheSize);
    d.smem_per_block_optin = p.sharedMemPerBlockOptin;
    int clock_khz = 0, bus_bits = 0;
    if (cudaDeviceGetAttribute(&clock_khz, cudaDevAttrMemoryClockRate, device) == cudaSuccess &&
        cudaDeviceGetAttribute(&bus_bits, cudaDevAttrGlobalMemoryBusWidth, device) == cudaSuccess)
        d.peak_bandwidth_gbs = 2.0 * double(clock_khz) * 1e3 * double(bus_bits / 8) / 1e9;
    else
        cudaGetLastError();
    int current = 0;
    DEEPNET_CUDA_OK(cudaGetDevice(&current));
    DEEPNET_CUDA_OK(cudaSetDevice(device));
    size_t free_b = 0, total_b = 0;
    DEEPNET_CUDA_OK(cudaMemGetInfo(&free_b, &total_b));
    DEEPNET_CUDA_OK(cudaSetDevice(current));
    d.free_bytes = free_b;
    return d;
}

std::string describe(const CudaDeviceInfo& d) {
    char buf[256];
    std::snprintf(buf, sizeof buf, "GPU %d: %s, sm_%d%d, %d SMs, %s (%s free), L2 %zu MiB", d.index,
                  d.name.c_str(), d.cc_major, d.cc_minor, d.sm_count, gib(d.total_bytes).c_str(),
                  gib(d.free_bytes).c_str(), d.l2_bytes >> 20);
    return buf;
}

void* cuda_alloc(size_t bytes, const char* what) {
    if (bytes == 0) return nullptr;
    void* p = nullptr;
    const cudaError_t e = cudaMalloc(&p, bytes);
    if (e == cudaSuccess) return p;
    cudaGetLastError();
    int dev = 0;
    cudaGetDevice(&dev);
    size_t free_b = 0, total_b = 0;
    cudaMemGetInfo(&free_b, &total_b);
    cudaDeviceProp prop{};
    cudaGetDeviceProperties(&prop, dev);
    if (e == cudaErrorMemoryAllocation)
        throw OutOfMemory("out of GPU memory allocating " + std::string(what) + ": asked for " +
                    std::to_string(bytes) + " bytes (" + gib(bytes) + "); " + gib(free_b) +
                    " free of " + gib(total_b) + " on GPU " + std::to_string(dev) + " (" +
                    prop.name + ")");
    throw Error("cudaMalloc of " + std::to_string(bytes) + " bytes for " + what +
                " failed: " + cudaGetErrorString(e));
}

void cuda_copy_to_host(void* dst, const void* src, size_t bytes, cudaStream_t stream) {
    DEEPNET_CUDA_OK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, stream));
    DEEPNET_CUDA_OK(cudaStreamSynchronize(stream));
}

CudaDeviceScope::CudaDeviceScope(int device) {
    DEEPNET_CUDA_OK(cudaGetDevice(&previous_));
    if (previous_ != device) DEEPNET_CUDA_OK(cudaSetDevice(device));
}

CudaDeviceScope::~CudaDeviceScope() {
    int now = -1;
    if (previous_ >= 0 && cudaGetDevice(&now) == cudaSuccess && now != previous_) cudaSetDevice(previous_);
}

void cuda_copy(void* dst, const void* src, size_t bytes) {
    DEEPNET_CUDA_OK(cudaDeviceSynchronize());
    DEEPNET_CUDA_OK(cudaMemcpy(dst, src, bytes, cudaMemcpyDefault));
    DEEPNET_CUDA_OK(cudaDeviceSynchronize());  // a device-to-device copy may still be running
}

void cuda_zero(void* p, size_t bytes) {
    DEEPNET_CUDA_OK(cudaDeviceSynchronize());
    DEEPNET_CUDA_OK(cudaMemset(p, 0, bytes));
    // On the legacy stream, which the context's non-blocking stream does not wait for.
    DEEPNET_CUDA_OK(cudaDeviceSynchronize());
}

void cuda_free(void* p) noexcept {
    if (p) cudaFree(p);
}

CudaContext::CudaContext(int device, size_t lt_workspace_bytes) {
    const int n = cuda_device_count();
    DEEPNET_CHECK(device >= 0 && device < n,
                  "CUDA device " << device << " requested; " << n << " device(s) found");
    try {
        DEEPNET_CUDA_OK(cudaSetDevice(device));
        info_ = cuda_device_info(device);
        DEEPNET_CUDA_OK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
        const cublasStatus_t s = cublasLtCreate(&lt_);
        DEEPNET_CHECK(s == CUBLAS_STATUS_SUCCESS,
                      "cublasLtCreate failed: " << cublasLtGetStatusString(s));
        lt_workspace_ = cuda_alloc(lt_workspace_bytes, "cuBLASLt workspace");
        lt_workspace_bytes_ = lt_workspace_bytes;
    } catch (...) {
        release();
        throw;
    }
}

CudaContext::~CudaContext() { release(); }

void CudaContext::release() noexcept {
    if (stream_) cudaStreamSynchronize(stream_);
    cuda_free(lt_workspace_);
    if (lt_) cublasLtDestroy(lt_);
    if (stream_) cudaStreamDestroy(stream_);
    lt_workspace_ = nullptr;
    lt_ = nullptr;
    stream_ = nullptr;
}

void CudaContext::synchronize() const { DEEPNET_CUDA_OK(cudaStreamSynchronize(stream_)); }

}  // namespace deepnet
