// Device helpers shared by the CUDA kernels (nvcc only): CUDA_CHECK and the launch check,
// 16-byte vector loads, bf16 <-> float on the device, warp and block sums. The kernels'
// entry points are declared beside their CPU twins in kernels/<op>.h.
//
// Storage types: T = float or bf16. All arithmetic is fp32; saved statistics (mean, rstd,
// lse), losses and parameter gradients are fp32. Every function is asynchronous on `stream`
// and checks its launches (a failure throws std::runtime_error naming file:line).
#pragma once

#if !defined(__CUDACC__)
#error "kernels/cuda_utils.cuh is for nvcc only: include kernels/<op>.h for the declarations"
#endif

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/kernel_types.h"

// ---- device helpers (nvcc only) ------------------------------------------------------------
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <atomic>
#include <stdexcept>
#include <string>

#ifndef CUDA_CHECK
#define CUDA_CHECK(expr)                                                              \
    do {                                                                              \
        const cudaError_t deepnet_cuda_err_ = (expr);                                 \
        if (deepnet_cuda_err_ != cudaSuccess)                                         \
            throw std::runtime_error(                                                 \
                std::string("CUDA error: ") + cudaGetErrorString(deepnet_cuda_err_) + \
                " [" #expr " at " __FILE__ ":" + std::to_string(__LINE__) + "]");     \
    } while (0)
#endif
// After every launch: a bad configuration shows up here, not at the next sync.
#define DEEPNET_CUDA_LAUNCH_CHECK() CUDA_CHECK(cudaGetLastError())

namespace deepnet::kernels::cuda::detail {

// Elements per 16-byte vector.
template <typename T>
constexpr int kVec = int(16 / sizeof(T));

inline bool aligned16(const void* p) { return (reinterpret_cast<uintptr_t>(p) & 15u) == 0; }

__device__ __forceinline__ float to_float(float v) { return v; }
__device__ __forceinline__ float to_float(bf16 v) {
    return __uint_as_float(uint32_t(v.bits) << 16);
}
template <typename T>
__device__ __forceinline__ T from_float(float v);
template <>
__device__ __forceinline__ float from_float<float>(float v) {
    return v;
}
template <>
__device__ __forceinline__ bf16 from_float<bf16>(float v) {
    return bf16{__bfloat16_as_ushort(__float2bfloat16_rn(v))};
}

// Loads V consecutive elements as fp32: one 16-byte access when V is the vector width
// (the address must then be 16-byte aligned), else V scalar accesses.
template <typename T, int V>
__device__ __forceinline__ void load(const T* p, float (&out)[V]) {
    if constexpr (V == kVec<T> && sizeof(T) == 4) {
        const float4 q = *reinterpret_cast<const float4*>(p);
        out[0] = q.x, out[1] = q.y, out[2] = q.z, out[3] = q.w;
    } else if constexpr (V == kVec<T> && sizeof(T) == 2) {
        const uint4 q = *reinterpret_cast<const uint4*>(p);
        const uint32_t w[4] = {q.x, q.y, q.z, q.w};
#pragma unroll
        for (int i = 0; i < 4; ++i) {
            out[2 * i] = __uint_as_float(w[i] << 16);
            out[2 * i + 1] = __uint_as_float(w[i] & 0xFFFF0000u);
        }
    } else {
#pragma unroll
        for (int i = 0; i < V; ++i) out[i] = to_float(p[i]);
    }
}

template <typename T, int V>
__device__ __forceinline__ void store(T* p, const float (&v)[V]) {
    if constexpr (V == kVec<T> && sizeof(T) == 4) {
        *reinterpret_cast<float4*>(p) = make_float4(v[0], v[1], v[2], v[3]);
    } else if constexpr (V == kVec<T> && sizeof(T) == 2) {
        uint32_t w[4];
#pragma unroll
        for (int i = 0; i < 4; ++i)
            w[i] = uint32_t(from_float<bf16>(v[2 * i]).bits) |
                   (uint32_t(from_float<bf16>(v[2 * i + 1]).bits) << 16);
        *reinterpret_cast<uint4*>(p) = make_uint4(w[0], w[1], w[2], w[3]);
    } else {
#pragma unroll
        for (int i = 0; i < V; ++i) p[i] = from_float<T>(v[i]);
    }
}

template <typename A>
__device__ __forceinline__ A warp_sum(A v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xFFFFFFFFu, v, o);
    return v;
}

// Sum over the block (blockDim.x a multiple of 32, at most 1024), the same value returned
// to every thread. Fixed order, so deterministic. `red` holds 32 values of shared memory;
// the function synchronises before and after using it, so it can be called back to back.
template <typename A>
__device__ __forceinline__ A block_sum(A v, A* red) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = warp_sum(v);
    __syncthreads();
    if (lane == 0) red[warp] = v;
    __syncthreads();
    A t = lane < warps ? red[lane] : A(0);
    return warp_sum(t);
}

// Number of multiprocessors of the current device (cached per device): grid sizes that
// must not change between calls on one device (deterministic reductions) derive from it.
inline int sm_count() {
    static std::atomic<int> cache[64];
    int dev = 0;
    CUDA_CHECK(cudaGetDevice(&dev));
    if (dev < 64 && cache[dev].load() > 0) return cache[dev].load();
    int n = 0;
    CUDA_CHECK(cudaDeviceGetAttribute(&n, cudaDevAttrMultiProcessorCount, dev));
    if (dev < 64) cache[dev].store(n);
    return n;
}

}  // namespace deepnet::kernels::cuda::detail
