// Log-softmax rows and target log-probabilities on the CPU (see log_softmax.h).
#include "kernels/log_softmax.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "kernels/fast_exp.h"

namespace deepnet::kernels::cpu {

template <typename T>
void log_softmax_forward(T* x, int64_t N, int64_t V) {
#pragma omp parallel for schedule(static)
    for (int64_t n = 0; n < N; ++n) {
        T* r = x + n * V;
        T mx = -std::numeric_limits<T>::infinity(), sum = 0;
        if constexpr (std::is_same_v<T, float>) {
            mx = row_max(r, V);
            sum = row_exp_sums(r, V, mx).exp_sum;
        } else {
            for (int64_t v = 0; v < V; ++v) mx = std::max(mx, r[v]);
            for (int64_t v = 0; v < V; ++v) sum += std::exp(r[v] - mx);
        }
        const T lse = mx + std::log(sum);
#pragma omp simd
        for (int64_t v = 0; v < V; ++v) r[v] -= lse;
    }
}

template <typename T>
void target_log_probs(double* out, const T* logits, const int64_t* targets, int64_t N, int64_t V) {
#pragma omp parallel for schedule(static)
    for (int64_t n = 0; n < N; ++n) {
        const int64_t target = targets[n];
        if (target < 0) continue;
        const T* r = logits + n * V;
        double mx = double(r[0]);
        for (int64_t v = 1; v < V; ++v) mx = std::max(mx, double(r[v]));
        double sum = 0;
        for (int64_t v = 0; v < V; ++v) sum += std::exp(double(r[v]) - mx);
        out[n] = double(r[target]) - mx - std::log(sum);
    }
}

template void log_softmax_forward<float>(float*, int64_t, int64_t);
template void log_softmax_forward<double>(double*, int64_t, int64_t);
template void target_log_probs<float>(double*, const float*, const int64_t*, int64_t, int64_t);
template void target_log_probs<double>(double*, const double*, const int64_t*, int64_t, int64_t);

}  // namespace deepnet::kernels::cpu
