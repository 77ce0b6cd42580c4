// AdamW and the squared norm on the CPU.
#include "kernels/adamw.h"

#include <cmath>
#include <vector>

namespace deepnet::kernels::cpu {

template <typename T>
void adamw_update(T* p, const T* g, T* m, T* v, const AdamParams& a, int64_t n) {
    const T b1 = T(a.beta1), b2 = T(a.beta2), eps = T(a.eps), gs = T(a.grad_scale);
    const T lr = T(a.lr), decay = T(1.0 - a.lr * a.weight_decay);
    const T c1 = T(1.0 / (1.0 - std::pow(a.beta1, double(a.step))));
    const T c2 = T(1.0 / std::sqrt(1.0 - std::pow(a.beta2, double(a.step))));
#pragma omp parallel for simd schedule(static)
    for (int64_t i = 0; i < n; ++i) {
        const T gi = g[i] * gs;
        m[i] = b1 * m[i] + (T(1) - b1) * gi;
        v[i] = b2 * v[i] + (T(1) - b2) * gi * gi;
        p[i] = p[i] * decay - lr * (m[i] * c1) / (std::sqrt(v[i]) * c2 + eps);
    }
}

template <typename T>
double sum_squares(const T* x, int64_t n) {
    // Fixed blocks summed in order: the result does not depend on the thread count or
    // on OpenMP's reduction order, which exact resume relies on.
    const int64_t block = 1 << 16;
    const int64_t nb = (n + block - 1) / block;
    std::vector<double> part(size_t(nb), 0.0);
#pragma omp parallel for schedule(static)
    for (int64_t b = 0; b < nb; ++b) {
        // Eight independent lanes (a fixed order the compiler can vectorise: one running sum
        // would wait on the add latency at every element).
        constexpr int64_t L = 8;
        double lane[L] = {};
        const int64_t begin = b * block, end = (b + 1) * block < n ? (b + 1) * block : n;
        int64_t i = begin;
        for (; i + L <= end; i += L)
            for (int64_t l = 0; l < L; ++l) lane[l] += double(x[i + l]) * double(x[i + l]);
        double s = 0;
        for (int64_t l = 0; l < L; ++l) s += lane[l];
        for (; i < end; ++i) s += double(x[i]) * double(x[i]);
        part[size_t(b)] = s;
    }
    double s = 0;
    for (double v : part) s += v;
    return s;
}

template void adamw_update<float>(float*, const float*, float*, float*, const AdamParams&, int64_t);
template void adamw_update<double>(double*, const double*, double*, double*, const AdamParams&, int64_t);
template double sum_squares<float>(const float*, int64_t);
template double sum_squares<double>(const double*, int64_t);

}  // namespace deepnet::kernels::cpu
