// The CUDA kernels' public declarations (namespace deepnet::kernels::cuda) and, for nvcc
// only, the device helpers they share (16-byte vector loads, bf16 <-> float, warp and block
// sums, CUDA_CHECK).
//
// The declarations compile without nvcc and without CUDA headers (cudaStream_t is declared
// the way the CUDA runtime declares it; bf16 is a 2-byte storage type of our own), so host
// code (src/ops, tests) can include this file in a CPU compiler. Their place by the
// conventions is kernels/<op>.h beside the cpu namespace; they live here until those
// headers take them (see docs/cuda.md).
//
// Storage types: T = float or bf16. All arithmetic is fp32; saved statistics (mean, rstd,
// lse), losses and parameter gradients are fp32. Every function is asynchronous on `stream`
// and checks its launches (a failure throws std::runtime_error naming file:line).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/activation.h"  // ActKind
#include "kernels/adamw.h"       // cpu::AdamParams

typedef struct CUstream_st* cudaStream_t;

namespace deepnet::kernels {

// bfloat16 storage: the top 16 bits of an IEEE float. Host conversions round to nearest
// even, as the device's __float2bfloat16_rn does.
struct bf16 {
    uint16_t bits;
};

inline float bf16_to_float(bf16 h) {
    const uint32_t u = uint32_t(h.bits) << 16;
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

inline bf16 float_to_bf16(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    if ((u & 0x7F800000u) == 0x7F800000u && (u & 0x007FFFFFu)) return bf16{uint16_t(0x7FC0)};
    u += 0x7FFFu + ((u >> 16) & 1u);
    return bf16{uint16_t(u >> 16)};
}

}  // namespace deepnet::kernels

namespace deepnet::kernels::cuda {

// ---- residual_layernorm: y = LN(alpha * x + f), see kernels/residual_layernorm.h --------
// x, f, y: (N, C) T; f may be null. mean, rstd: (N) fp32. gamma, beta: (C) T.
// y may alias x. Warp per row when C <= 1024 and rows are 16-byte aligned; else block per
// row with the row in shared memory (C up to the device's shared-memory limit / 16).
template <typename T>
void residual_layernorm_forward(T* y, float* mean, float* rstd, const T* x, const T* f,
                                const T* gamma, const T* beta, float alpha, int64_t N, int64_t C,
                                float eps, cudaStream_t stream);

// Backward: dx = alpha * dz (=), df = dz (=, skipped when null), dgamma, dbeta (fp32, +=).
// dx or df may alias dy. Deterministic: per-block partial sums of dgamma/dbeta go to
// `scratch` (residual_layernorm_backward_scratch_floats(N, C) floats), then one kernel adds
// them in a fixed order.
int64_t residual_layernorm_backward_scratch_floats(int64_t N, int64_t C);
template <typename T>
void residual_layernorm_backward(T* dx, T* df, float* dgamma, float* dbeta, const T* dy, const T* x,
                                 const T* f, const T* gamma, const float* mean, const float* rstd,
                                 float alpha, int64_t N, int64_t C, float* scratch,
                                 cudaStream_t stream);

// ---- embedding: y[n] = table[tokens[n]] * scale + pos_table[positions[n]] ----------------
// tokens, positions: (N) int64 in [0, V) and [0, P). table: (V, C) T; pos_table (P, C) T
// (filled on the host by cpu::sinusoid_table and copied). y: (N, C) T.
template <typename T>
void embedding_forward(T* y, const int64_t* tokens, const int64_t* positions, const T* table,
                       const T* pos_table, float scale, int64_t N, int64_t C, cudaStream_t stream);

// Backward: dtable[tokens[n]] += dy[n] * scale (fp32), rows with skip_token skipped.
// Deterministic: a stable radix sort of (token, row) groups the rows of each token, and one
// block per token adds them in row order (the CPU's order). scratch: at least
// embedding_backward_scratch_bytes(N, V) bytes, 256-byte aligned.
size_t embedding_backward_scratch_bytes(int64_t N, int64_t V);
template <typename T>
void embedding_backward(float* dtable, const T* dy, const int64_t* tokens, float scale,
                        int64_t skip_token, int64_t N, int64_t C, int64_t V, void* scratch,
                        size_t scratch_bytes, cudaStream_t stream);

// ---- cross_entropy: label-smoothed softmax CE over V, see kernels/cross_entropy.h --------
// logits: (N, V) T; targets (N), -1 = ignored row; loss, nll, lse: (N) fp32.
template <typename T>
void cross_entropy_forward(float* loss, float* nll, float* lse, const T* logits,
                           const int64_t* targets, float eps, int64_t N, int64_t V,
                           cudaStream_t stream);
// dlogits = scale * (softmax - q) (=); may alias logits.
template <typename T>
void cross_entropy_backward(T* dlogits, const T* logits, const float* lse, const int64_t* targets,
                            float eps, float scale, int64_t N, int64_t V, cudaStream_t stream);
// Both in one launch, in place: logits_grad holds the logits on entry and scale * (softmax
// - q) on return; no second (N, V) buffer.
template <typename T>
void cross_entropy_forward_backward(float* loss, float* nll, float* lse, T* logits_grad,
                                    const int64_t* targets, float eps, float scale, int64_t N,
                                    int64_t V, cudaStream_t stream);

// ---- adamw over the flat fp32 buffers, see kernels/adamw.h --------------------------------
// p, g, m, v: (n) fp32. One launch over the whole flat buffer. p_bf16 (nullable) receives
// bf16(p) after the update: the compute copy of mixed precision. dev_scale (nullable) is an
// extra gradient factor read on the device (e.g. the clipping factor), so clipping needs no
// host round trip.
void adamw_update(float* p, const float* g, float* m, float* v, int64_t n, const cpu::AdamParams& a,
                  bf16* p_bf16, const float* dev_scale, cudaStream_t stream);

// *out (device, fp64) = sum of x^2, deterministic (fixed grid, fixed-order reduction).
// scratch: sum_squares_scratch_doubles() doubles.
int64_t sum_squares_scratch_doubles();
template <typename T>
void sum_squares(double* out, const T* x, int64_t n, double* scratch, cudaStream_t stream);

// ---- dropout: y = x * keep(i) / (1 - p), keep(i) = uniform01(key, i) >= p ----------------
// The mask is the CPU's bit for bit (kernels/counter_rng.h). In place allowed.
template <typename T>
void dropout_forward(T* y, const T* x, int64_t n, float p, uint64_t key, cudaStream_t stream);
template <typename T>
void dropout_backward(T* dx, const T* dy, int64_t n, float p, uint64_t key, cudaStream_t stream);

// ---- activation: relu / exact gelu, see kernels/activation.h -----------------------------
template <typename T>
void activation_forward(T* h, const T* a, int64_t n, ActKind kind, cudaStream_t stream);
// da = dh * act'(a) (=); da may alias dh.
template <typename T>
void activation_backward(T* da, const T* dh, const T* a, int64_t n, ActKind kind,
                         cudaStream_t stream);

}  // namespace deepnet::kernels::cuda

#if defined(__CUDACC__)
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
#endif  // __CUDACC__
