// Single-query attention over a key/value cache on the GPU (see cached_attention.h): one
// block per (query row, head). Decoding brings one query per hypothesis, so there is no
// query tile to share keys across: each block streams its own keys and values once.
//   per chunk of kChunk keys: warp w computes the scores of keys w, w + 4, ... (lanes over
//   the head dim, a warp sum); then every thread takes the chunk max, p_j = exp(s_j - m),
//   rescales its accumulators by exp(m_old - m) and adds p_j v_j for its own columns.
// Two barriers per chunk: the scores and the weights live in separate shared arrays, so the
// next chunk's scores may be written while no thread still reads this chunk's weights.
#include "kernels/cached_attention.h"
#include "kernels/cuda_utils.cuh"

#include <cmath>
#include <string>

namespace deepnet::kernels::cuda {
namespace {

using detail::from_float;
using detail::to_float;

constexpr int kThreads = 128, kWarps = kThreads / 32, kChunk = 32;
constexpr int kMaxD = int(cached_attention_max_head_dim);
constexpr int kLaneCols = kMaxD / 32;      // q columns per lane (dot products)
constexpr int kThreadCols = kMaxD / kThreads;  // output columns per thread

template <typename T>
__global__ void __launch_bounds__(kThreads)
    cached_attention_kernel(T* out, const T* q, const T* k, const T* v, const int64_t* kv_block,
                            const int64_t* key_len, cpu::CachedAttentionDims d, float scale) {
    __shared__ float sc[kChunk], pw[kChunk];
    const int64_t n = blockIdx.x / d.H, h = blockIdx.x % d.H;
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, D = int(d.D);
    const int64_t len = key_len[n];
    const int64_t base = kv_block[n] * d.block_stride + h * D;
    const T* qn = q + n * d.ldq + h * D;
    float qr[kLaneCols];
#pragma unroll
    for (int i = 0; i < kLaneCols; ++i) qr[i] = lane + 32 * i < D ? to_float(qn[lane + 32 * i]) : 0.f;

    float acc[kThreadCols] = {};
    float m = -INFINITY, l = 0.f;
    for (int64_t j0 = 0; j0 < len; j0 += kChunk) {
        const int cnt = len - j0 < kChunk ? int(len - j0) : kChunk;
        for (int j = warp; j < cnt; j += kWarps) {  // warp-uniform: the shuffles see all lanes
            const T* kj = k + base + (j0 + j) * d.key_stride;
            float s = 0.f;
#pragma unroll
            for (int i = 0; i < kLaneCols; ++i)
                if (lane + 32 * i < D) s += qr[i] * to_float(kj[lane + 32 * i]);
            s = detail::warp_sum(s);
            if (lane == 0) sc[j] = scale * s;
        }
        __syncthreads();
        float mc = m;
        for (int j = 0; j < cnt; ++j) mc = fmaxf(mc, sc[j]);
        if (int(threadIdx.x) < cnt) pw[threadIdx.x] = expf(sc[threadIdx.x] - mc);
        const float corr = expf(m - mc);  // 0 on the first chunk (m = -inf, mc finite)
        __syncthreads();
        l *= corr;
        for (int j = 0; j < cnt; ++j) l += pw[j];
#pragma unroll
        for (int i = 0; i < kThreadCols; ++i) {
            const int c = int(threadIdx.x) + kThreads * i;
            if (c >= D) continue;
            const T* vc = v + base + j0 * d.key_stride + c;
            float a = acc[i] * corr;
            for (int j = 0; j < cnt; ++j) a += pw[j] * to_float(vc[j * d.key_stride]);
            acc[i] = a;
        }
        m = mc;
    }
    T* on = out + n * d.ldo + h * D;
#pragma unroll
    for (int i = 0; i < kThreadCols; ++i) {
        const int c = int(threadIdx.x) + kThreads * i;
        // No keys: zeros, as the CPU twin writes.
        if (c < D) on[c] = from_float<T>(len > 0 ? acc[i] / l : 0.f);
    }
}

}  // namespace

template <typename T>
void cached_attention_forward(T* out, const T* q, const T* k, const T* v,
                              const int64_t* kv_block, const int64_t* key_len,
                              const cpu::CachedAttentionDims& d, cudaStream_t stream) {
    if (d.N <= 0 || d.H <= 0) return;
    if (d.D < 1 || d.D > kMaxD)
        throw std::runtime_error("cached_attention_forward: head dim " + std::to_string(d.D) +
                                 " not in [1, " + std::to_string(kMaxD) + "] on CUDA");
    const float scale = 1.f / std::sqrt(float(d.D));
    cached_attention_kernel<T><<<unsigned(d.N * d.H), kThreads, 0, stream>>>(out, q, k, v, kv_block,
                                                                            key_len, d, scale);
    DEEPNET_CUDA_LAUNCH_CHECK();
}

#define DEEPNET_INSTANTIATE(T)                                                                  \
    template void cached_attention_forward<T>(T*, const T*, const T*, const T*, const int64_t*, \
                                              const int64_t*, const cpu::CachedAttentionDims&,  \
                                              cudaStream_t);
DEEPNET_INSTANTIATE(float)
DEEPNET_INSTANTIATE(bf16)
#undef DEEPNET_INSTANTIATE

}  // namespace deepnet::kernels::cuda
