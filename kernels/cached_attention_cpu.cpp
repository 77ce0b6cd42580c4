// Single-query attention over a key/value cache on the CPU (see cached_attention.h): one
// OpenMP task per (query, head); the scores of one task live in a thread-local buffer.
#include "kernels/cached_attention.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "kernels/fast_exp.h"

namespace deepnet::kernels::cpu {

template <typename T>
void cached_attention_forward(T* out, const T* q, const T* k, const T* v,
                              const int64_t* kv_block, const int64_t* key_len,
                              const CachedAttentionDims& d) {
    const T scale = T(1) / std::sqrt(T(d.D));
#pragma omp parallel
    {
        std::vector<T> p;
#pragma omp for collapse(2) schedule(static)
        for (int64_t n = 0; n < d.N; ++n) {
            for (int64_t h = 0; h < d.H; ++h) {
                const int64_t len = key_len[n];
                if (int64_t(p.size()) < len) p.resize(size_t(len));
                const T* qn = q + n * d.ldq + h * d.D;
                const int64_t base = kv_block[n] * d.block_stride + h * d.D;
                T mx = -std::numeric_limits<T>::infinity();
                for (int64_t j = 0; j < len; ++j) {
                    const T* kj = k + base + j * d.key_stride;
                    T s = 0;
#pragma omp simd reduction(+ : s)
                    for (int64_t c = 0; c < d.D; ++c) s += qn[c] * kj[c];
                    p[size_t(j)] = scale * s;
                    mx = std::max(mx, p[size_t(j)]);
                }
                T sum = 0;
                for (int64_t j = 0; j < len; ++j) {
                    p[size_t(j)] = kernels::exp_t(p[size_t(j)] - mx);
                    sum += p[size_t(j)];
                }
                const T inv = T(1) / sum;
                T* on = out + n * d.ldo + h * d.D;
                for (int64_t c = 0; c < d.D; ++c) on[c] = 0;
                for (int64_t j = 0; j < len; ++j) {
                    const T w = p[size_t(j)] * inv;
                    const T* vj = v + base + j * d.key_stride;
#pragma omp simd
                    for (int64_t c = 0; c < d.D; ++c) on[c] += w * vj[c];
                }
            }
        }
    }
}

template void cached_attention_forward<float>(float*, const float*, const float*, const float*,
                                              const int64_t*, const int64_t*,
                                              const CachedAttentionDims&);
template void cached_attention_forward<double>(double*, const double*, const double*,
                                               const double*, const int64_t*, const int64_t*,
                                               const CachedAttentionDims&);

}  // namespace deepnet::kernels::cpu
