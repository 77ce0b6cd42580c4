// Fused residual + LayerNorm on the CPU: one OpenMP task per block of rows; the parameter
// gradients are reduced through per-thread partial sums, so results do not depend on
// scheduling (fixed thread count -> bitwise reproducible).
#include "kernels/residual_layernorm.h"

#include <omp.h>

#include <cmath>
#include <vector>

namespace deepnet::kernels::cpu {

template <typename T>
void residual_layernorm_forward(T* y, T* mean, T* rstd, const T* x, const T* f, const T* gamma, const T* beta, T alpha, T eps, int64_t N, int64_t C) {
#pragma omp parallel for schedule(static)
    for (int64_t n = 0; n < N; ++n) {
        const T* xr = x + n * C;
        const T* fr = f ? f + n * C : nullptr;
        T* yr = y + n * C;
        // z goes through y so the row is read from memory once; two passes for the variance.
        // The row sums are vectorised reductions (a fixed order per build: one running sum
        // would wait on the add latency at every element).
        T sum = 0;
#pragma omp simd reduction(+ : sum)
        for (int64_t c = 0; c < C; ++c) {
            const T z = fr ? alpha * xr[c] + fr[c] : alpha * xr[c];
            yr[c] = z;
            sum += z;
        }
        const T mu = sum / T(C);
        T var = 0;
#pragma omp simd reduction(+ : var)
        for (int64_t c = 0; c < C; ++c) {
            const T d = yr[c] - mu;
            var += d * d;
        }
        const T rs = T(1) / std::sqrt(var / T(C) + eps);
        for (int64_t c = 0; c < C; ++c) yr[c] = (yr[c] - mu) * rs * gamma[c] + beta[c];
        mean[n] = mu;
        rstd[n] = rs;
    }
}

template <typename T>
void residual_layernorm_backward(T* dx, T* df, T* dgamma, T* dbeta, const T* dy, const T* x,
                                 const T* f, const T* gamma, const T* mean, const T* rstd,
                                 T alpha, int64_t N, int64_t C) {
    const int threads = omp_get_max_threads();
    std::vector<T> partial(size_t(threads) * 2 * C, T(0));
#pragma omp parallel
    {
        T* pg = partial.data() + size_t(omp_get_thread_num()) * 2 * C;
        T* pb = pg + C;
#pragma omp for schedule(static)
        for (int64_t n = 0; n < N; ++n) {
            const T* xr = x + n * C;
            const T* fr = f ? f + n * C : nullptr;
            const T* dyr = dy + n * C;
            const T mu = mean[n], rs = rstd[n];
            T sum_g = 0, sum_gx = 0;
#pragma omp simd reduction(+ : sum_g, sum_gx)
            for (int64_t c = 0; c < C; ++c) {
                const T z = fr ? alpha * xr[c] + fr[c] : alpha * xr[c];
                const T xhat = (z - mu) * rs;
                const T g = dyr[c] * gamma[c];
                sum_g += g;
                sum_gx += g * xhat;
                pg[c] += dyr[c] * xhat;
                pb[c] += dyr[c];
            }
            const T mg = sum_g / T(C), mgx = sum_gx / T(C);
            T* dxr = dx + n * C;
            T* dfr = df ? df + n * C : nullptr;
            for (int64_t c = 0; c < C; ++c) {
                const T z = fr ? alpha * xr[c] + fr[c] : alpha * xr[c];
                const T xhat = (z - mu) * rs;
                const T dz = rs * (dyr[c] * gamma[c] - mg - xhat * mgx);
                if (dfr) dfr[c] = dz;
                dxr[c] = alpha * dz;
            }
        }
    }
    for (int t = 0; t < threads; ++t) {
        const T* pg = partial.data() + size_t(t) * 2 * C;
        for (int64_t c = 0; c < C; ++c) {
            dgamma[c] += pg[c];
            dbeta[c] += pg[C + c];
        }
    }
}

#define DEEPNET_INSTANTIATE(T)                                                                \
    template void residual_layernorm_forward<T>(T*, T*, T*, const T*, const T*, const T*, \
                                                const T*, T, T, int64_t, int64_t);            \
    template void residual_layernorm_backward<T>(T*, T*, T*, T*, const T*, const T*, const T*, \
                                                 const T*, const T*, const T*, T, int64_t,    \
                                                 int64_t);
DEEPNET_INSTANTIATE(float)
DEEPNET_INSTANTIATE(double)
#undef DEEPNET_INSTANTIATE

}  // namespace deepnet::kernels::cpu
