// Inverted dropout on the CPU (see dropout.h).
#include "kernels/dropout.h"

#include "kernels/counter_rng.h"

namespace deepnet::kernels::cpu {

template <typename T>
void dropout_forward(T* y, const T* x, T p, uint64_t key, int64_t n) {
    if (p <= T(0)) {
        if (y != x)
            for (int64_t i = 0; i < n; ++i) y[i] = x[i];
        return;
    }
    const T scale = T(1) / (T(1) - p);
    const float pf = float(p);
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i) y[i] = uniform01(key, uint64_t(i)) >= pf ? x[i] * scale : T(0);
}

template <typename T>
void dropout_backward(T* dx, const T* dy, T p, uint64_t key, int64_t n) {
    dropout_forward(dx, dy, p, key, n);
}

template void dropout_forward<float>(float*, const float*, float, uint64_t, int64_t);
template void dropout_forward<double>(double*, const double*, double, uint64_t, int64_t);
template void dropout_backward<float>(float*, const float*, float, uint64_t, int64_t);
template void dropout_backward<double>(double*, const double*, double, uint64_t, int64_t);

}  // namespace deepnet::kernels::cpu
