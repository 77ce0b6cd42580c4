// CUDA emulation for the tests: what a .cu file of kernels/ needs to compile with the host
// compiler and run on the CPU, so that every CUDA kernel executes in CI against its CPU twin
// (docs/cuda.md, "Emulated CUDA"). A test of logic, never of speed or of the device's
// numerics: one fiber per CUDA thread (Boost.Context), blocks in parallel on OpenMP,
// __syncthreads a counting barrier of the block's live threads, warp intrinsics barriers of
// the warp's live lanes (threads that returned count as arrived), dynamic shared memory
// poisoned with 0xFF bytes. Launches (`k<<<grid, block, smem, stream>>>(args)`) are rewritten
// into deepnet_emu::launch calls by launch_rewrite.cpp; this header and the shims in
// include/ (cuda_runtime.h, cuda_bf16.h, cublasLt.h, cub) do the rest.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <tuple>
#include <type_traits>
#include <utility>

// ---- qualifiers ---------------------------------------------------------------------------
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __noinline__
#define __launch_bounds__(...)
#define __align__(n) alignas(n)
// Static shared memory: one instance per OS thread, which runs one block at a time, so the
// threads (fibers) of a block share it. It keeps its values from block to block.
#define __shared__ static thread_local

// ---- vector types -------------------------------------------------------------------------
struct dim3 {
    unsigned x, y, z;
    constexpr dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};
struct uint3 {
    unsigned x, y, z;
};
struct alignas(8) float2 {
    float x, y;
};
struct alignas(16) float4 {
    float x, y, z, w;
};
struct alignas(16) uint4 {
    unsigned x, y, z, w;
};
struct alignas(16) int4 {
    int x, y, z, w;
};
inline float2 make_float2(float x, float y) { return {x, y}; }
inline float4 make_float4(float x, float y, float z, float w) { return {x, y, z, w}; }
inline uint4 make_uint4(unsigned x, unsigned y, unsigned z, unsigned w) { return {x, y, z, w}; }
inline int4 make_int4(int x, int y, int z, int w) { return {x, y, z, w}; }

// ---- runtime types ------------------------------------------------------------------------
typedef enum cudaError {
    cudaSuccess = 0,
    cudaErrorInvalidValue = 1,
    cudaErrorMemoryAllocation = 2,
    cudaErrorInvalidConfiguration = 9,
    cudaErrorInvalidDevice = 101,
    cudaErrorLaunchFailure = 719,
} cudaError_t;
typedef struct CUstream_st* cudaStream_t;
typedef struct CUevent_st* cudaEvent_t;
enum cudaMemcpyKind {
    cudaMemcpyHostToHost = 0,
    cudaMemcpyHostToDevice = 1,
    cudaMemcpyDeviceToHost = 2,
    cudaMemcpyDeviceToDevice = 3,
    cudaMemcpyDefault = 4
};
enum cudaDeviceAttr {
    cudaDevAttrMultiProcessorCount = 16,
    cudaDevAttrClockRate = 13,
    cudaDevAttrMemoryClockRate = 36,
    cudaDevAttrGlobalMemoryBusWidth = 37,
    cudaDevAttrMaxSharedMemoryPerBlockOptin = 97
};
enum cudaFuncAttribute { cudaFuncAttributeMaxDynamicSharedMemorySize = 8 };
constexpr unsigned cudaStreamDefault = 0, cudaStreamNonBlocking = 1;
struct cudaDeviceProp {
    char name[256];
    size_t totalGlobalMem, sharedMemPerBlock, sharedMemPerBlockOptin;
    int warpSize, maxThreadsPerBlock, major, minor, multiProcessorCount, l2CacheSize;
};

cudaError_t cudaMalloc(void** p, size_t bytes);
template <typename T>
cudaError_t cudaMalloc(T** p, size_t bytes) {
    return cudaMalloc(reinterpret_cast<void**>(p), bytes);
}
cudaError_t cudaFree(void* p);
cudaError_t cudaMemcpy(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind);
cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind,
                            cudaStream_t stream = nullptr);
cudaError_t cudaMemset(void* p, int value, size_t bytes);
cudaError_t cudaMemsetAsync(void* p, int value, size_t bytes, cudaStream_t stream = nullptr);
cudaError_t cudaGetLastError();
cudaError_t cudaPeekAtLastError();
const char* cudaGetErrorString(cudaError_t e);
cudaError_t cudaGetDeviceCount(int* n);
cudaError_t cudaGetDevice(int* d);
cudaError_t cudaSetDevice(int d);
cudaError_t cudaGetDeviceProperties(cudaDeviceProp* p, int device);
cudaError_t cudaDeviceGetAttribute(int* v, cudaDeviceAttr a, int device);
cudaError_t cudaMemGetInfo(size_t* free_bytes, size_t* total_bytes);
cudaError_t cudaDeviceSynchronize();
cudaError_t cudaStreamCreate(cudaStream_t* s);
cudaError_t cudaStreamCreateWithFlags(cudaStream_t* s, unsigned flags);
cudaError_t cudaStreamDestroy(cudaStream_t s);
cudaError_t cudaStreamSynchronize(cudaStream_t s);
cudaError_t cudaEventCreate(cudaEvent_t* e);
cudaError_t cudaEventDestroy(cudaEvent_t e);
cudaError_t cudaEventRecord(cudaEvent_t e, cudaStream_t s = nullptr);
cudaError_t cudaEventSynchronize(cudaEvent_t e);
cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t start, cudaEvent_t end);

namespace deepnet_emu {
cudaError_t set_max_dynamic_shared(const void* kernel, int bytes);
}
template <typename F>
cudaError_t cudaFuncSetAttribute(F* kernel, cudaFuncAttribute attr, int value) {
    if (attr != cudaFuncAttributeMaxDynamicSharedMemorySize) return cudaErrorInvalidValue;
    return deepnet_emu::set_max_dynamic_shared(reinterpret_cast<const void*>(kernel), value);
}

// ---- the emulated device ------------------------------------------------------------------
namespace deepnet_emu {

const uint3& thread_idx();
const uint3& block_idx();
const dim3& block_dim();
const dim3& grid_dim();
void syncthreads();
void syncwarp();
// Every live lane of the warp publishes `mine` and gets lane `src`'s value (its own when
// src is outside the warp or has returned).
uint64_t warp_exchange(uint64_t mine, int src);
int lane_id();
void* dynamic_shared();

struct LaunchConfig {
    dim3 grid, block;
    size_t smem = 0;
    cudaStream_t stream = nullptr;
};
inline LaunchConfig config(dim3 grid, dim3 block, size_t smem = 0, cudaStream_t stream = nullptr) {
    return {grid, block, smem, stream};
}

// Runs body() once per thread of every block; records launch errors as cudaGetLastError.
void run_grid(const void* kernel, const LaunchConfig& c, const std::function<void()>& body);

// The kernel's arguments are converted to its parameter types once, as a launch copies them.
template <typename... P, typename... A>
void launch(void (*kernel)(P...), const LaunchConfig& c, A&&... args) {
    std::tuple<std::decay_t<P>...> params(std::forward<A>(args)...);
    run_grid(reinterpret_cast<const void*>(kernel), c, [&] { std::apply(kernel, params); });
}

}  // namespace deepnet_emu

#define threadIdx (::deepnet_emu::thread_idx())
#define blockIdx (::deepnet_emu::block_idx())
#define blockDim (::deepnet_emu::block_dim())
#define gridDim (::deepnet_emu::grid_dim())
constexpr int warpSize = 32;

inline void __syncthreads() { deepnet_emu::syncthreads(); }
inline void __syncwarp(unsigned = 0xFFFFFFFFu) { deepnet_emu::syncwarp(); }

namespace deepnet_emu {
template <typename T>
T shuffle(T v, int src) {
    static_assert(sizeof(T) <= 8 && std::is_trivially_copyable_v<T>, "shuffle of a type over 8 bytes");
    uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof(T));
    bits = warp_exchange(bits, src);
    T out;
    std::memcpy(&out, &bits, sizeof(T));
    return out;
}
}  // namespace deepnet_emu

// The mask is not checked: every live lane of the warp takes part (a documented limit).
template <typename T>
T __shfl_xor_sync(unsigned, T v, int lane_mask, int width = 32) {
    const int lane = deepnet_emu::lane_id();
    return deepnet_emu::shuffle(v, (lane & ~(width - 1)) | ((lane ^ lane_mask) & (width - 1)));
}
template <typename T>
T __shfl_sync(unsigned, T v, int src, int width = 32) {
    const int lane = deepnet_emu::lane_id();
    return deepnet_emu::shuffle(v, (lane & ~(width - 1)) | (src & (width - 1)));
}
template <typename T>
T __shfl_down_sync(unsigned, T v, unsigned delta, int width = 32) {
    const int lane = deepnet_emu::lane_id(), in = lane & (width - 1);
    return deepnet_emu::shuffle(v, in + int(delta) < width ? lane + int(delta) : lane);
}
template <typename T>
T __shfl_up_sync(unsigned, T v, unsigned delta, int width = 32) {
    const int lane = deepnet_emu::lane_id(), in = lane & (width - 1);
    return deepnet_emu::shuffle(v, in >= int(delta) ? lane - int(delta) : lane);
}
unsigned __ballot_sync(unsigned mask, int predicate);
inline int __any_sync(unsigned mask, int p) { return __ballot_sync(mask, p) != 0; }
inline int __all_sync(unsigned mask, int p) { return __ballot_sync(mask, !p) == 0; }

// ---- intrinsics ---------------------------------------------------------------------------
inline float __uint_as_float(unsigned u) {
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}
inline unsigned __float_as_uint(float f) {
    unsigned u;
    std::memcpy(&u, &f, 4);
    return u;
}
inline float __int_as_float(int i) { return __uint_as_float(unsigned(i)); }
inline int __float_as_int(float f) { return int(__float_as_uint(f)); }
inline float rsqrtf(float x) { return 1.0f / std::sqrt(x); }
inline float __expf(float x) { return std::exp(x); }
inline float __logf(float x) { return std::log(x); }
inline float __fdividef(float a, float b) { return a / b; }
inline float __frcp_rn(float x) { return 1.0f / x; }
inline float __fsqrt_rn(float x) { return std::sqrt(x); }
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fadd_rn(float a, float b) { return a + b; }
template <typename T>
T __ldg(const T* p) {
    return *p;
}

// Atomics on the compiler's builtins (blocks run in parallel on OpenMP).
template <typename T>
T atomicAdd(T* p, T v) {
    if constexpr (std::is_integral_v<T>) {
        return __atomic_fetch_add(p, v, __ATOMIC_RELAXED);
    } else {
        T old, desired;
        __atomic_load(p, &old, __ATOMIC_RELAXED);
        do {
            desired = old + v;
        } while (!__atomic_compare_exchange(p, &old, &desired, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
        return old;
    }
}
template <typename T>
T atomicCAS(T* p, T expected, T desired) {
    __atomic_compare_exchange_n(p, &expected, desired, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
    return expected;
}
template <typename T>
T atomicExch(T* p, T v) {
    return __atomic_exchange_n(p, v, __ATOMIC_RELAXED);
}
template <typename T>
T atomicMax(T* p, T v) {
    T old = __atomic_load_n(p, __ATOMIC_RELAXED);
    while (old < v && !__atomic_compare_exchange_n(p, &old, v, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
    return old;
}
