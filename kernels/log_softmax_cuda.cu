// Log-probabilities over the vocabulary on the GPU (see log_softmax.h), one block per row,
// the row walked in chunks of kThreads vectors (any V, 32k and more):
//   log_softmax_forward: one read with an online max and rescaled sum (fp32), then one
//                        read-write pass x - lse; the row is L2-resident between the two.
//   target_log_probs:    the CPU twin's double arithmetic (exact max, fp64 exp sum) so the
//                        scores of `deepnet score` keep their precision on the device.
#include "kernels/cuda_utils.cuh"
#include "kernels/log_softmax.h"
#include "kernels/row_lse.cuh"

#include <cmath>

namespace deepnet::kernels::cuda {
namespace {

using detail::aligned16;
using detail::kVec;
using detail::load;
using detail::store;
using detail::to_float;

using detail::row_lse;

constexpr int kThreads = detail::kLseThreads;

template <typename T, int VW>
__global__ void __launch_bounds__(kThreads) log_softmax_kernel(T* x, int64_t V) {
    T* r = x + int64_t(blockIdx.x) * V;
    // row_lse ends with a barrier after every read of the row, so writing in place is safe.
    const float lse = row_lse<T, VW>(r, V);
    for (int64_t c = int64_t(threadIdx.x) * VW; c < V; c += int64_t(kThreads) * VW) {
        float v[VW];
        load<T, VW>(r + c, v);
#pragma unroll
        for (int j = 0; j < VW; ++j) v[j] -= lse;
        store<T, VW>(r + c, v);
    }
}

__device__ __forceinline__ float block_max(float v, float* red) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xFFFFFFFFu, v, o));
    __syncthreads();
    if (lane == 0) red[warp] = v;
    __syncthreads();
    float t = red[0];
#pragma unroll
    for (int w = 1; w < kThreads / 32; ++w) t = fmaxf(t, red[w]);
    return t;
}

template <typename T, int VW>
__global__ void __launch_bounds__(kThreads)
    target_log_probs_kernel(double* out, const T* logits, const int64_t* targets, int64_t V) {
    __shared__ float red_max[kThreads / 32];
    __shared__ double red_sum[32];
    const int64_t n = blockIdx.x, target = targets[n];
    if (target < 0) return;  // the whole block leaves: the row keeps its value
    const T* r = logits + n * V;
    float m = -INFINITY;  // the max of the stored values is exact in fp32
    for (int64_t c = int64_t(threadIdx.x) * VW; c < V; c += int64_t(kThreads) * VW) {
        float v[VW];
        load<T, VW>(r + c, v);
#pragma unroll
        for (int j = 0; j < VW; ++j) m = fmaxf(m, v[j]);
    }
    const double mx = block_max(m, red_max);
    double s = 0;
    for (int64_t c = int64_t(threadIdx.x) * VW; c < V; c += int64_t(kThreads) * VW) {
        float v[VW];
        load<T, VW>(r + c, v);
#pragma unroll
        for (int j = 0; j < VW; ++j) s += exp(double(v[j]) - mx);
    }
    s = detail::block_sum(s, red_sum);
    if (threadIdx.x == 0) out[n] = double(to_float(r[target])) - mx - log(s);
}

}  // namespace

template <typename T>
void log_softmax_forward(T* x, int64_t N, int64_t V, cudaStream_t stream) {
    if (N <= 0 || V <= 0) return;
    if (V % kVec<T> == 0 && aligned16(x))
        log_softmax_kernel<T, kVec<T>><<<unsigned(N), kThreads, 0, stream>>>(x, V);
    else
        log_softmax_kernel<T, 1><<<unsigned(N), kThreads, 0, stream>>>(x, V);
    DEEPNET_CUDA_LAUNCH_CHECK();
}

template <typename T>
void target_log_probs(double* out, const T* logits, const int64_t* targets, int64_t N, int64_t V,
                      cudaStream_t stream) {
    if (N <= 0 || V <= 0) return;
    if (V % kVec<T> == 0 && aligned16(logits))
        target_log_probs_kernel<T, kVec<T>><<<unsigned(N), kThreads, 0, stream>>>(out, logits, targets, V);
    else
        target_log_probs_kernel<T, 1><<<unsigned(N), kThreads, 0, stream>>>(out, logits, targets, V);
    DEEPNET_CUDA_LAUNCH_CHECK();
}

#define DEEPNET_INSTANTIATE(T)                                                   \
    template void log_softmax_forward<T>(T*, int64_t, int64_t, cudaStream_t);    \
    template void target_log_probs<T>(double*, const T*, const int64_t*, int64_t, \
                                      int64_t, cudaStream_t);
DEEPNET_INSTANTIATE(float)
DEEPNET_INSTANTIATE(bf16)
#undef DEEPNET_INSTANTIATE

}  // namespace deepnet::kernels::cuda
