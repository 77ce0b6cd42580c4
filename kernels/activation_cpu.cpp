// ReLU / exact GELU forward and backward on the CPU.
#include "kernels/activation.h"

#include <cmath>

namespace deepnet::kernels::cpu {

template <typename T>
void activation_forward(T* h, const T* a, ActKind kind, int64_t n) {
    if (kind == ActKind::ReLU) {
#pragma omp parallel for simd schedule(static)
        for (int64_t i = 0; i < n; ++i) h[i] = a[i] > T(0) ? a[i] : T(0);
        return;
    }
    const T inv_sqrt2 = T(0.70710678118654752440);
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i) h[i] = T(0.5) * a[i] * (T(1) + std::erf(a[i] * inv_sqrt2));
}

template <typename T>
void activation_backward(T* da, const T* dh, const T* a, ActKind kind, int64_t n) {
    if (kind == ActKind::ReLU) {
#pragma omp parallel for simd schedule(static)
        for (int64_t i = 0; i < n; ++i) da[i] = a[i] > T(0) ? dh[i] : T(0);
        return;
    }
    const T inv_sqrt2 = T(0.70710678118654752440);
    const T inv_sqrt2pi = T(0.39894228040143267794);
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i) {
        const T x = a[i];
        const T cdf = T(0.5) * (T(1) + std::erf(x * inv_sqrt2));
        const T pdf = inv_sqrt2pi * std::exp(T(-0.5) * x * x);
        da[i] = dh[i] * (cdf + x * pdf);
    }
}

template void activation_forward<float>(float*, const float*, ActKind, int64_t);
template void activation_forward<double>(double*, const double*, ActKind, int64_t);
template void activation_backward<float>(float*, const float*, const float*, ActKind, int64_t);
template void activation_backward<double>(double*, const double*, const double*, ActKind, int64_t);

}  // namespace deepnet::kernels::cpu
