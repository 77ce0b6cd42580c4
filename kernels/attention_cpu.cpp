// Attention on the CPU: one OpenMP task per (batch, head); sentence lengths in NMT are short
// (tens of tokens), so plain loops over the head dimension (vectorised by the compiler) beat
// many tiny BLAS calls. Masked keys get probability exactly 0 and are never visited.
#include "kernels/attention.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "kernels/counter_rng.h"
#include "kernels/fast_exp.h"

namespace deepnet::kernels::cpu {
namespace {

inline int64_t key_limit(const int64_t* key_len, bool causal, int64_t b, int64_t i, int64_t Tk) {
    int64_t lim = std::min(key_len[b], Tk);
    if (causal) lim = std::min(lim, i + 1);
    return lim;
}

template <typename T>
inline T dot(const T* a, const T* b, int64_t D) {
    T s = 0;
#pragma omp simd reduction(+ : s)
    for (int64_t c = 0; c < D; ++c) s += a[c] * b[c];
    return s;
}

template <typename T>
inline T keep_scale(T p, uint64_t key, uint64_t index) {
    if (p <= T(0)) return T(1);
    return uniform01(key, index) >= float(p) ? T(1) / (T(1) - p) : T(0);
}

}  // namespace

template <typename T>
void attention_forward(T* out, T* probs, const T* q, const T* k, const T* v,
                       const int64_t* key_len, bool causal, T dropout_p, uint64_t dropout_key,
                       const AttentionDims& d) {
    const T scale = T(1) / std::sqrt(T(d.D));
#pragma omp parallel for collapse(2) schedule(static)
    for (int64_t b = 0; b < d.B; ++b) {
        for (int64_t h = 0; h < d.H; ++h) {
            for (int64_t i = 0; i < d.Tq; ++i) {
                const T* qi = q + (b * d.Tq + i) * d.ldq + h * d.D;
                const int64_t row = ((b * d.H + h) * d.Tq + i) * d.Tk;
                T* p = probs + row;
                const int64_t lim = key_limit(key_len, causal, b, i, d.Tk);
                T mx = -std::numeric_limits<T>::infinity();
                for (int64_t j = 0; j < lim; ++j) {
                    p[j] = scale * dot(qi, k + (b * d.Tk + j) * d.ldk + h * d.D, d.D);
                    mx = std::max(mx, p[j]);
                }
                T sum = 0;
                for (int64_t j = 0; j < lim; ++j) {
                    p[j] = exp_t(p[j] - mx);
                    sum += p[j];
                }
                const T inv = T(1) / sum;
                for (int64_t j = 0; j < lim; ++j) p[j] *= inv;
                for (int64_t j = lim; j < d.Tk; ++j) p[j] = 0;
                T* oi = out + (b * d.Tq + i) * d.ldo + h * d.D;
                for (int64_t c = 0; c < d.D; ++c) oi[c] = 0;
                for (int64_t j = 0; j < lim; ++j) {
                    const T w = p[j] * keep_scale(dropout_p, dropout_key, uint64_t(row + j));
                    if (w == T(0)) continue;
                    const T* vj = v + (b * d.Tk + j) * d.ldv + h * d.D;
#pragma omp simd
                    for (int64_t c = 0; c < d.D; ++c) oi[c] += w * vj[c];
                }
            }
        }
    }
}

template <typename T>
void attention_backward(T* dq, T* dk, T* dv, const T* dout, const T* probs, const T* q,
                        const T* k, const T* v, const int64_t* key_len, bool causal,
                        T dropout_p, uint64_t dropout_key, const AttentionDims& d) {
    const T scale = T(1) / std::sqrt(T(d.D));
#pragma omp parallel for collapse(2) schedule(static)
    for (int64_t b = 0; b < d.B; ++b) {
        for (int64_t h = 0; h < d.H; ++h) {
            // This task owns dk/dv rows of (b, h): zero them, then accumulate over queries.
            std::vector<T> dp(size_t(d.Tk));
            for (int64_t j = 0; j < d.Tk; ++j) {
                T* dkj = dk + (b * d.Tk + j) * d.ldk + h * d.D;
                T* dvj = dv + (b * d.Tk + j) * d.ldv + h * d.D;
                for (int64_t c = 0; c < d.D; ++c) dkj[c] = dvj[c] = 0;
            }
            for (int64_t i = 0; i < d.Tq; ++i) {
                const int64_t row = ((b * d.H + h) * d.Tq + i) * d.Tk;
                const T* p = probs + row;
                const T* doi = dout + (b * d.Tq + i) * d.ldo + h * d.D;
                const T* qi = q + (b * d.Tq + i) * d.ldq + h * d.D;
                T* dqi = dq + (b * d.Tq + i) * d.ldq + h * d.D;
                for (int64_t c = 0; c < d.D; ++c) dqi[c] = 0;
                const int64_t lim = key_limit(key_len, causal, b, i, d.Tk);
                // dP_j = keep_j * <dout_i, v_j>; rowdot = sum_j P_j dP_j.
                T rowdot = 0;
                for (int64_t j = 0; j < lim; ++j) {
                    const T ks = keep_scale(dropout_p, dropout_key, uint64_t(row + j));
                    dp[j] = ks == T(0) ? T(0) : ks * dot(doi, v + (b * d.Tk + j) * d.ldv + h * d.D, d.D);
                    rowdot += p[j] * dp[j];
                }
                for (int64_t j = 0; j < lim; ++j) {
                    const T ks = keep_scale(dropout_p, dropout_key, uint64_t(row + j));
                    const T* kj = k + (b * d.Tk + j) * d.ldk + h * d.D;
                    const T ds = p[j] * (dp[j] - rowdot) * scale;
                    const T pw = p[j] * ks;
                    T* dkj = dk + (b * d.Tk + j) * d.ldk + h * d.D;
                    T* dvj = dv + (b * d.Tk + j) * d.ldv + h * d.D;
#pragma omp simd
                    for (int64_t c = 0; c < d.D; ++c) {
                        dqi[c] += ds * kj[c];
                        dkj[c] += ds * qi[c];
                        dvj[c] += pw * doi[c];
                    }
                }
            }
        }
    }
}

#define DEEPNET_INSTANTIATE(T)                                                                 \
    template void attention_forward<T>(T*, T*, const T*, const T*, const T*, const int64_t*,   \
                                       bool, T, uint64_t, const AttentionDims&);               \
    template void attention_backward<T>(T*, T*, T*, const T*, const T*, const T*, const T*,    \
                                        const T*, const int64_t*, bool, T, uint64_t,           \
                                        const AttentionDims&);
DEEPNET_INSTANTIATE(float)
DEEPNET_INSTANTIATE(double)
#undef DEEPNET_INSTANTIATE

}  // namespace deepnet::kernels::cpu
