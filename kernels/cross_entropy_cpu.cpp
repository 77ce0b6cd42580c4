// Label-smoothed cross-entropy on the CPU, one OpenMP task per row.
#include "kernels/cross_entropy.h"

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "kernels/fast_exp.h"

namespace deepnet::kernels::cpu {

template <typename T>
void cross_entropy_forward(T* loss, T* nll, T* lse, const T* logits, const int64_t* targets,
                           T eps, int64_t N, int64_t V) {
#pragma omp parallel for schedule(static)
    for (int64_t n = 0; n < N; ++n) {
        const T* z = logits + n * V;
        T mx = z[0], sum = 0, zsum = 0;
        if constexpr (std::is_same_v<T, float>) {  // vectorised exp (kernels/fast_exp.h)
            mx = row_max(z, V);
            const ExpSums e = row_exp_sums(z, V, mx);
            sum = e.exp_sum, zsum = e.sum;
        } else {
            for (int64_t v = 1; v < V; ++v) mx = std::max(mx, z[v]);
            for (int64_t v = 0; v < V; ++v) {
                sum += std::exp(z[v] - mx);
                zsum += z[v];
            }
        }
        const T l = mx + std::log(sum);
        lse[n] = l;
        if (targets[n] < 0) {
            loss[n] = nll[n] = 0;
            continue;
        }
        const T nl = l - z[targets[n]];
        const T smooth = l - zsum / T(V);  // mean over v of -log p_v
        nll[n] = nl;
        loss[n] = (T(1) - eps) * nl + eps * smooth;
    }
}

template <typename T>
void cross_entropy_backward(T* dlogits, const T* logits, const T* lse, const int64_t* targets,
                            T eps, T scale, int64_t N, int64_t V) {
#pragma omp parallel for schedule(static)
    for (int64_t n = 0; n < N; ++n) {
        const T* z = logits + n * V;
        T* d = dlogits + n * V;
        if (targets[n] < 0) {
            for (int64_t v = 0; v < V; ++v) d[v] = 0;
            continue;
        }
        const T l = lse[n], u = eps / T(V);
        if constexpr (std::is_same_v<T, float>)
            row_exp_affine(d, z, V, l, scale, u);
        else
            for (int64_t v = 0; v < V; ++v) d[v] = scale * (std::exp(z[v] - l) - u);
        d[targets[n]] -= scale * (T(1) - eps);
    }
}

template <typename T>
void loss_sums(double* sums, const T* loss, const T* nll, int64_t N) {
    double l = 0, n = 0;
    for (int64_t i = 0; i < N; ++i) {
        l += double(loss[i]);
        n += double(nll[i]);
    }
    sums[0] = l;
    sums[1] = n;
}

template void loss_sums<float>(double*, const float*, const float*, int64_t);
template void loss_sums<double>(double*, const double*, const double*, int64_t);
template void cross_entropy_forward<float>(float*, float*, float*, const float*,
                                           const int64_t*, float, int64_t, int64_t);
template void cross_entropy_forward<double>(double*, double*, double*, const double*,
                                            const int64_t*, double, int64_t, int64_t);
template void cross_entropy_backward<float>(float*, const float*, const float*, const int64_t*,
                                            float, float, int64_t, int64_t);
template void cross_entropy_backward<double>(double*, const double*, const double*,
                                             const int64_t*, double, double, int64_t, int64_t);

}  // namespace deepnet::kernels::cpu
