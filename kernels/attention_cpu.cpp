// Attention on the CPU: one OpenMP task per (batch, head). Sentences in NMT are short (tens
// of tokens), so each task works on its head slices with register-blocked loops rather than
// many tiny BLAS calls:
// - the keys (and, in backward, the values) of the head are transposed once into a
//   (D, Tk) block, so a query's scores against 16 keys are 16 lanes of one accumulator
//   (no horizontal sums per key);
// - weighted sums over keys or queries run over 16-column chunks of the head with the
//   accumulator held in registers and stored once, instead of read-modify-write of an output
//   row per (query, key) pair.
// Masked keys get probability exactly 0: scores and softmax never visit them; the weighted
// sums of a head run up to its longest visible prefix with weight 0 for masked keys (so a
// non-finite value of a masked key would still turn into NaN there). Each dropout draw is
// hashed once per pass, a row at a time in a vectorised loop.
#include "kernels/attention.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "kernels/counter_rng.h"
#include "kernels/fast_exp.h"

namespace deepnet::kernels::cpu {
namespace {

constexpr int64_t W = 16;  // chunk width: one AVX-512 register of floats

inline int64_t key_limit(const int64_t* key_len, bool causal, int64_t b, int64_t i, int64_t Tk) {
    int64_t lim = std::min(key_len[b], Tk);
    if (causal) lim = std::min(lim, i + 1);
    return lim;
}

inline int64_t round_up(int64_t n) { return (n + W - 1) / W * W; }

// keep[j] = 1/(1-p) if uniform01(key, first + j) >= p else 0, for j < n: the dropout scale of
// a row of probabilities, hashed in one vectorisable loop (a scalar hash per pair cost more
// than the arithmetic of the pair).
template <typename T>
void keep_row(T* keep, T p, uint64_t key, uint64_t first, int64_t n) {
    if (p <= T(0)) {
        std::fill(keep, keep + n, T(1));
        return;
    }
    const float pf = float(p);
    const T scale = T(1) / (T(1) - p);
#pragma omp simd
    for (int64_t j = 0; j < n; ++j) keep[j] = uniform01(key, first + uint64_t(j)) >= pf ? scale : T(0);
}

// dst (D, Tkp) = the head slice of rows [0, Tk) of src (row stride ld), transposed; the
// padding columns [Tk, Tkp) are zero.
template <typename T>
void transpose_head(T* dst, const T* src, int64_t ld, int64_t Tk, int64_t Tkp, int64_t D) {
    std::fill(dst, dst + D * Tkp, T(0));
    for (int64_t j = 0; j < Tk; ++j)
        for (int64_t c = 0; c < D; ++c) dst[c * Tkp + j] = src[j * ld + c];
}

// Four independent accumulators per chunk: one would wait on the FMA latency each step.
constexpr int64_t kChains = 4;

// out[j] = sum_c x[c] * mt[c, j] for j in [0, n) (n a multiple of W); mt: (D, ldm).
template <typename T>
void row_times_transposed(T* out, const T* x, const T* mt, int64_t ldm, int64_t n, int64_t D) {
    for (int64_t j0 = 0; j0 < n; j0 += W) {
        T acc[kChains][W] = {};
        int64_t c = 0;
        for (; c + kChains <= D; c += kChains)
            for (int64_t u = 0; u < kChains; ++u) {
                const T xc = x[c + u];
                const T* m = mt + (c + u) * ldm + j0;
#pragma omp simd
                for (int64_t l = 0; l < W; ++l) acc[u][l] += xc * m[l];
            }
        for (; c < D; ++c)
            for (int64_t l = 0; l < W; ++l) acc[0][l] += x[c] * mt[c * ldm + j0 + l];
        for (int64_t l = 0; l < W; ++l) out[j0 + l] = (acc[0][l] + acc[1][l]) + (acc[2][l] + acc[3][l]);
    }
}

// out[c] = sum_{r < n} w[r] * rows[r * ld + c] for c in [0, D): a weighted sum of rows, in
// W-column chunks whose accumulators stay in registers.
template <typename T>
void weighted_rows(T* out, const T* w, int64_t w_stride, const T* rows, int64_t ld, int64_t n,
                   int64_t D) {
    int64_t c0 = 0;
    for (; c0 + W <= D; c0 += W) {
        T acc[kChains][W] = {};
        int64_t r = 0;
        for (; r + kChains <= n; r += kChains)
            for (int64_t u = 0; u < kChains; ++u) {
                const T wr = w[(r + u) * w_stride];
                const T* x = rows + (r + u) * ld + c0;
#pragma omp simd
                for (int64_t l = 0; l < W; ++l) acc[u][l] += wr * x[l];
            }
        for (; r < n; ++r)
            for (int64_t l = 0; l < W; ++l) acc[0][l] += w[r * w_stride] * rows[r * ld + c0 + l];
        for (int64_t l = 0; l < W; ++l) out[c0 + l] = (acc[0][l] + acc[1][l]) + (acc[2][l] + acc[3][l]);
    }
    for (int64_t c = c0; c < D; ++c) {  // a head size that is not a multiple of W
        T acc = 0;
        for (int64_t r = 0; r < n; ++r) acc += w[r * w_stride] * rows[r * ld + c];
        out[c] = acc;
    }
}

// Four weighted sums of the same rows at once: out[t * out_ld + c] = sum_{r < n}
// w[t * wt + r * wr] * rows[r * ld + c], t < 4. Each loaded chunk of a row feeds four
// accumulators (four independent chains), a quarter of weighted_rows' loads.
template <typename T>
void weighted_rows4(T* out, int64_t out_ld, const T* w, int64_t wt, int64_t wr, const T* rows,
                    int64_t ld, int64_t n, int64_t D) {
    int64_t c0 = 0;
    for (; c0 + W <= D; c0 += W) {
        T acc[4][W] = {};
        for (int64_t r = 0; r < n; ++r) {
            const T* x = rows + r * ld + c0;
            const T* wr0 = w + r * wr;
            const T w0 = wr0[0], w1 = wr0[wt], w2 = wr0[2 * wt], w3 = wr0[3 * wt];
#pragma omp simd
            for (int64_t l = 0; l < W; ++l) {
                acc[0][l] += w0 * x[l];
                acc[1][l] += w1 * x[l];
                acc[2][l] += w2 * x[l];
                acc[3][l] += w3 * x[l];
            }
        }
        for (int64_t t = 0; t < 4; ++t)
            for (int64_t l = 0; l < W; ++l) out[t * out_ld + c0 + l] = acc[t][l];
    }
    for (int64_t c = c0; c < D; ++c)  // a head size that is not a multiple of W
        for (int64_t t = 0; t < 4; ++t) {
            T acc = 0;
            for (int64_t r = 0; r < n; ++r) acc += w[t * wt + r * wr] * rows[r * ld + c];
            out[t * out_ld + c] = acc;
        }
}

// out_t = weighted sum for t < count, four at a time (the rest one by one).
template <typename T>
void weighted_rows_many(T* out, int64_t out_ld, int64_t count, const T* w, int64_t wt, int64_t wr,
                        const T* rows, int64_t ld, int64_t n, int64_t D) {
    int64_t t = 0;
    for (; t + 4 <= count; t += 4)
        weighted_rows4(out + t * out_ld, out_ld, w + t * wt, wt, wr, rows, ld, n, D);
    for (; t < count; ++t) weighted_rows(out + t * out_ld, w + t * wt, wr, rows, ld, n, D);
}

// Per-thread scratch, reused across tasks and calls.
template <typename T>
struct Scratch {
    std::vector<T> a, b, c, d, e;
    static Scratch& get() {
        thread_local Scratch s;
        return s;
    }
};

template <typename T>
T* sized(std::vector<T>& v, int64_t n) {
    if (int64_t(v.size()) < n) v.resize(size_t(n));
    return v.data();
}

}  // namespace

template <typename T>
void attention_forward(T* out, T* probs, const T* q, const T* k, const T* v,
                       const int64_t* key_len, bool causal, T dropout_p, uint64_t dropout_key,
                       const AttentionDims& d) {
    const T scale = T(1) / std::sqrt(T(d.D));
    const int64_t Tkp = round_up(d.Tk);
#pragma omp parallel for collapse(2) schedule(static)
    for (int64_t b = 0; b < d.B; ++b) {
        for (int64_t h = 0; h < d.H; ++h) {
            Scratch<T>& s = Scratch<T>::get();
            T* kt = sized(s.a, d.D * Tkp);  // this head's keys, transposed
            T* scores = sized(s.b, Tkp);
            T* wv = sized(s.c, d.Tq * Tkp);  // probabilities after dropout, 0 where masked
            T* keep = sized(s.d, Tkp);
            int64_t max_lim = 0;
            transpose_head(kt, k + b * d.Tk * d.ldk + h * d.D, d.ldk, d.Tk, Tkp, d.D);
            const T* vh = v + b * d.Tk * d.ldv + h * d.D;
            for (int64_t i = 0; i < d.Tq; ++i) {
                const int64_t row = ((b * d.H + h) * d.Tq + i) * d.Tk;
                T* p = probs + row;
                const int64_t lim = key_limit(key_len, causal, b, i, d.Tk);
                row_times_transposed(scores, q + (b * d.Tq + i) * d.ldq + h * d.D, kt, Tkp,
                                     round_up(lim), d.D);
                T mx = -std::numeric_limits<T>::infinity();
                for (int64_t j = 0; j < lim; ++j) {
                    p[j] = scale * scores[j];
                    mx = std::max(mx, p[j]);
                }
                T sum = 0;
                for (int64_t j = 0; j < lim; ++j) {
                    p[j] = exp_t(p[j] - mx);
                    sum += p[j];
                }
                const T inv = T(1) / sum;
                keep_row(keep, dropout_p, dropout_key, uint64_t(row), lim);
                T* wvi = wv + i * Tkp;
                for (int64_t j = 0; j < lim; ++j) {
                    p[j] *= inv;
                    wvi[j] = p[j] * keep[j];
                }
                for (int64_t j = lim; j < d.Tk; ++j) p[j] = 0;
                std::fill(wvi + lim, wvi + Tkp, T(0));
                max_lim = std::max(max_lim, lim);
            }
            // out_i = sum_j Pw_ij v_j, four queries at a time (masked weights are 0).
            weighted_rows_many(out + b * d.Tq * d.ldo + h * d.D, d.ldo, d.Tq, wv, Tkp, 1, vh, d.ldv,
                               max_lim, d.D);
        }
    }
}

template <typename T>
void attention_backward(T* dq, T* dk, T* dv, const T* dout, const T* probs, const T* q,
                        const T* k, const T* v, const int64_t* key_len, bool causal,
                        T dropout_p, uint64_t dropout_key, const AttentionDims& d) {
    const T scale = T(1) / std::sqrt(T(d.D));
    const int64_t Tkp = round_up(d.Tk);
#pragma omp parallel for collapse(2) schedule(static)
    for (int64_t b = 0; b < d.B; ++b) {
        for (int64_t h = 0; h < d.H; ++h) {
            Scratch<T>& s = Scratch<T>::get();
            T* vt = sized(s.a, d.D * Tkp);     // this head's values, transposed
            T* dp = sized(s.b, Tkp);
            T* ds = sized(s.c, d.Tq * Tkp);    // dL/dscores (scaled), 0 where masked
            T* pw = sized(s.d, d.Tq * Tkp);    // probabilities after dropout, 0 where masked
            T* keep = sized(s.e, Tkp);
            transpose_head(vt, v + b * d.Tk * d.ldv + h * d.D, d.ldv, d.Tk, Tkp, d.D);
            const T* qh = q + b * d.Tq * d.ldq + h * d.D;
            const T* kh = k + b * d.Tk * d.ldk + h * d.D;
            const T* doh = dout + b * d.Tq * d.ldo + h * d.D;
            int64_t max_lim = 0;
            for (int64_t i = 0; i < d.Tq; ++i) {
                const int64_t row = ((b * d.H + h) * d.Tq + i) * d.Tk;
                const T* p = probs + row;
                const int64_t lim = key_limit(key_len, causal, b, i, d.Tk);
                // dP_j = keep_j * <dout_i, v_j>; rowdot = sum_j P_j dP_j.
                row_times_transposed(dp, doh + i * d.ldo, vt, Tkp, round_up(lim), d.D);
                T* pwi = pw + i * Tkp;
                T* dsi = ds + i * Tkp;
                keep_row(keep, dropout_p, dropout_key, uint64_t(row), lim);
                T rowdot = 0;
                for (int64_t j = 0; j < lim; ++j) {
                    dp[j] *= keep[j];
                    pwi[j] = p[j] * keep[j];
                    rowdot += p[j] * dp[j];
                }
                for (int64_t j = 0; j < lim; ++j) dsi[j] = p[j] * (dp[j] - rowdot) * scale;
                std::fill(dsi + lim, dsi + Tkp, T(0));
                std::fill(pwi + lim, pwi + Tkp, T(0));
                max_lim = std::max(max_lim, lim);
            }
            // dq_i = sum_j dS_ij k_j; dk_j = sum_i dS_ij q_i; dv_j = sum_i Pw_ij dout_i
            // (masked entries are 0), four outputs at a time.
            weighted_rows_many(dq + b * d.Tq * d.ldq + h * d.D, d.ldq, d.Tq, ds, Tkp, 1, kh, d.ldk,
                               max_lim, d.D);
            weighted_rows_many(dk + b * d.Tk * d.ldk + h * d.D, d.ldk, d.Tk, ds, 1, Tkp, qh, d.ldq,
                               d.Tq, d.D);
            weighted_rows_many(dv + b * d.Tk * d.ldv + h * d.D, d.ldv, d.Tk, pw, 1, Tkp, doh, d.ldo,
                               d.Tq, d.D);
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
