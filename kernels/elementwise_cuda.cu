// Element-wise arithmetic and row gathers on the GPU (see elementwise.h): grid-stride loops,
// fp32 arithmetic on float or bf16 storage (one rounding to T per result), the same
// expression as the CPU twin: equal to the CPU's bit for bit, but for axpby, where the CPU
// build may fuse a multiply-add (here the products are rounded, never fused).
#include "kernels/elementwise.h"
#include "kernels/cuda_utils.cuh"

#include <cuda_fp16.h>

#include <algorithm>

namespace deepnet::kernels::cuda {
namespace {

using detail::from_float;
using detail::to_float;

constexpr int kThreads = 256;

enum class Op { Add, Copy, Fill, Accumulate, Axpby };

// y[i] = f(y[i], a[i], b[i]) for the op; a, b may be null where the op reads none.
template <typename T, Op op>
__global__ void __launch_bounds__(kThreads)
    map_kernel(T* y, const T* a, const T* b, float s, float t, int64_t n) {
    const int64_t stride = int64_t(gridDim.x) * blockDim.x;
    for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
        float v;
        if constexpr (op == Op::Add) v = to_float(a[i]) + to_float(b[i]);
        if constexpr (op == Op::Copy) v = to_float(a[i]);
        if constexpr (op == Op::Fill) v = s;
        if constexpr (op == Op::Accumulate) v = to_float(y[i]) + to_float(a[i]);
        // Rounded products and sum, never fused: the CPU's float arithmetic, bit for bit.
        if constexpr (op == Op::Axpby) v = __fadd_rn(__fmul_rn(t, to_float(y[i])), __fmul_rn(s, to_float(a[i])));
        y[i] = from_float<T>(v);
    }
}

template <typename T, Op op>
void map(T* y, const T* a, const T* b, float s, float t, int64_t n, cudaStream_t stream) {
    if (n <= 0) return;
    const int64_t cap = 4 * int64_t(detail::sm_count()) * (2048 / kThreads);
    const int64_t blocks = std::min<int64_t>((n + kThreads - 1) / kThreads, cap);
    map_kernel<T, op><<<unsigned(blocks), kThreads, 0, stream>>>(y, a, b, s, t, n);
    DEEPNET_CUDA_LAUNCH_CHECK();
}

// One block row per (blk, m): y(blk, m, :) = x(blk, rows[m], :).
template <typename T>
__global__ void __launch_bounds__(kThreads)
    gather_kernel(T* y, const T* x, const int64_t* rows, int64_t M, int64_t N, int64_t C) {
    const int64_t r = blockIdx.x, blk = r / M, m = r % M;
    const T* src = x + (blk * N + rows[m]) * C;
    T* dst = y + r * C;
    for (int64_t c = threadIdx.x; c < C; c += blockDim.x) dst[c] = src[c];
}

}  // namespace

template <typename T>
void add(T* y, const T* a, const T* b, int64_t n, cudaStream_t stream) {
    map<T, Op::Add>(y, a, b, 0.f, 0.f, n, stream);
}
template <typename T>
void copy(T* y, const T* x, int64_t n, cudaStream_t stream) {
    map<T, Op::Copy>(y, x, nullptr, 0.f, 0.f, n, stream);
}
template <typename T>
void fill(T* y, float value, int64_t n, cudaStream_t stream) {
    map<T, Op::Fill>(y, nullptr, nullptr, value, 0.f, n, stream);
}
template <typename T>
void accumulate(T* y, const T* x, int64_t n, cudaStream_t stream) {
    map<T, Op::Accumulate>(y, x, nullptr, 0.f, 0.f, n, stream);
}
template <typename T>
void axpby(T* y, const T* x, float a, float b, int64_t n, cudaStream_t stream) {
    map<T, Op::Axpby>(y, x, nullptr, a, b, n, stream);
}
template <typename T>
void gather_rows(T* y, const T* x, const int64_t* rows, int64_t blocks, int64_t M, int64_t N, int64_t C,
                 cudaStream_t stream) {
    if (blocks * M <= 0 || C <= 0) return;
    gather_kernel<T><<<unsigned(blocks * M), kThreads, 0, stream>>>(y, x, rows, M, N, C);
    DEEPNET_CUDA_LAUNCH_CHECK();
}

namespace {

__device__ __forceinline__ void round_to(bf16& y, float x) { y = from_float<bf16>(x); }
__device__ __forceinline__ void round_to(f16& y, float x) { y = f16{__half_as_ushort(__float2half_rn(x))}; }

template <typename Half>
__global__ void __launch_bounds__(kThreads) round_kernel(Half* y, const float* x, int64_t n) {
    const int64_t stride = int64_t(gridDim.x) * blockDim.x;
    for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) round_to(y[i], x[i]);
}

template <typename Half>
void round_all(Half* y, const float* x, int64_t n, cudaStream_t stream) {
    if (n <= 0) return;
    const int64_t cap = 4 * int64_t(detail::sm_count()) * (2048 / kThreads);
    round_kernel<Half><<<unsigned(std::min<int64_t>((n + kThreads - 1) / kThreads, cap)), kThreads, 0, stream>>>(y, x, n);
    DEEPNET_CUDA_LAUNCH_CHECK();
}

}  // namespace

void to_bf16(bf16* y, const float* x, int64_t n, cudaStream_t stream) { round_all(y, x, n, stream); }
void to_f16(f16* y, const float* x, int64_t n, cudaStream_t stream) { round_all(y, x, n, stream); }

#define DEEPNET_INSTANTIATE(T)                                                                   \
    template void add<T>(T*, const T*, const T*, int64_t, cudaStream_t);                         \
    template void copy<T>(T*, const T*, int64_t, cudaStream_t);                                  \
    template void fill<T>(T*, float, int64_t, cudaStream_t);                                     \
    template void accumulate<T>(T*, const T*, int64_t, cudaStream_t);                            \
    template void axpby<T>(T*, const T*, float, float, int64_t, cudaStream_t);                   \
    template void gather_rows<T>(T*, const T*, const int64_t*, int64_t, int64_t, int64_t, int64_t, \
                                 cudaStream_t);
DEEPNET_INSTANTIATE(float)
DEEPNET_INSTANTIATE(bf16)
#undef DEEPNET_INSTANTIATE

}  // namespace deepnet::kernels::cuda
