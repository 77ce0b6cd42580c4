// The log-sum-exp of one row (and, for the label-smoothed loss, its sum), shared by the kernels
// that normalise logits (log_softmax_cuda.cu, top_k_cuda.cu's fused variant,
// cross_entropy_cuda.cu), so that all of them round x - lse identically: one block of
// kLseThreads threads per row, the row read in VW-wide vectors with an fp32 online max and
// rescaled sum, combined in a fixed order (deterministic).
#pragma once

#include <cmath>

#include "kernels/cuda_utils.cuh"

namespace deepnet::kernels::cuda::detail {

constexpr int kLseThreads = 256;

struct Stats {
    float m, s, zsum;  // running max, sum of exp(x - m), sum of x (when asked for)
};

__device__ __forceinline__ Stats combine(Stats a, Stats b) {
    const float m = fmaxf(a.m, b.m);
    // An empty side has m = -inf and s = 0: its term must vanish, not become NaN.
    const float sa = a.s == 0.f ? 0.f : a.s * expf(a.m - m);
    const float sb = b.s == 0.f ? 0.f : b.s * expf(b.m - m);
    return {m, sa + sb, a.zsum + b.zsum};
}

// (log sum exp, sum) of one row in fp32, returned to every thread (fixed combine order).
// kSum = false leaves the sum at 0 and skips its adds and shuffles.
template <typename T, int VW, bool kSum>
__device__ float2 row_stats(const T* z, int64_t V) {
    __shared__ Stats red[kLseThreads / 32];
    Stats st{-INFINITY, 0.f, 0.f};
    for (int64_t c = int64_t(threadIdx.x) * VW; c < V; c += int64_t(kLseThreads) * VW) {
        float v[VW];
        load<T, VW>(z + c, v);
        float vm = v[0], vs = 0.f;
#pragma unroll
        for (int j = 1; j < VW; ++j) vm = fmaxf(vm, v[j]);
        const float m = fmaxf(st.m, vm);
#pragma unroll
        for (int j = 0; j < VW; ++j) {
            vs += expf(v[j] - m);
            if (kSum) st.zsum += v[j];
        }
        st.s = (st.s == 0.f ? 0.f : st.s * expf(st.m - m)) + vs;
        st.m = m;
    }
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) {
        const Stats other{__shfl_xor_sync(0xFFFFFFFFu, st.m, o), __shfl_xor_sync(0xFFFFFFFFu, st.s, o),
                          kSum ? __shfl_xor_sync(0xFFFFFFFFu, st.zsum, o) : 0.f};
        st = combine(st, other);
    }
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    __syncthreads();
    if (lane == 0) red[warp] = st;
    __syncthreads();
    Stats t = red[0];
#pragma unroll
    for (int w = 1; w < kLseThreads / 32; ++w) t = combine(t, red[w]);
    return make_float2(t.m + logf(t.s), t.zsum);
}

// log sum exp of one row in fp32, returned to every thread.
template <typename T, int VW>
__device__ float row_lse(const T* z, int64_t V) {
    return row_stats<T, VW, false>(z, V).x;
}

}  // namespace deepnet::kernels::cuda::detail
