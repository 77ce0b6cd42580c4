// Embedding lookup + sinusoidal positions on the CPU.
#include "kernels/embedding.h"

#include <cmath>

namespace deepnet::kernels::cpu {

template <typename T>
void sinusoid_table(T* pos_table, int64_t P, int64_t C) {
    const int64_t half = C / 2;
    const double step = half > 1 ? std::log(10000.0) / double(half - 1) : 0.0;
    for (int64_t p = 0; p < P; ++p) {
        T* row = pos_table + p * C;
        for (int64_t i = 0; i < half; ++i) {
            const double a = double(p) * std::exp(-double(i) * step);
            row[i] = T(std::sin(a));
            row[half + i] = T(std::cos(a));
        }
        if (C % 2) row[C - 1] = 0;  // odd width: last column carries no position
    }
}

template <typename T>
void embedding_forward(T* y, const int64_t* tokens, const int64_t* positions, const T* table,
                       const T* pos_table, T scale, int64_t N, int64_t C) {
#pragma omp parallel for schedule(static)
    for (int64_t n = 0; n < N; ++n) {
        const T* e = table + tokens[n] * C;
        const T* pe = pos_table + positions[n] * C;
        T* yr = y + n * C;
#pragma omp simd
        for (int64_t c = 0; c < C; ++c) yr[c] = e[c] * scale + pe[c];
    }
}

template <typename T>
void embedding_backward(T* dtable, const T* dy, const int64_t* tokens, T scale,
                        int64_t skip_token, int64_t N, int64_t C) {
    // Serial over rows: two rows may hit the same token; the work is tiny next to the GEMMs.
    for (int64_t n = 0; n < N; ++n) {
        if (tokens[n] == skip_token) continue;
        T* d = dtable + tokens[n] * C;
        const T* g = dy + n * C;
#pragma omp simd
        for (int64_t c = 0; c < C; ++c) d[c] += g[c] * scale;
    }
}

#define DEEPNET_INSTANTIATE(T)                                                              \
    template void sinusoid_table<T>(T*, int64_t, int64_t);                                  \
    template void embedding_forward<T>(T*, const int64_t*, const int64_t*, const T*,        \
                                       const T*, T, int64_t, int64_t);                      \
    template void embedding_backward<T>(T*, const T*, const int64_t*, T, int64_t, int64_t,  \
                                        int64_t);
DEEPNET_INSTANTIATE(float)
DEEPNET_INSTANTIATE(double)
#undef DEEPNET_INSTANTIATE

}  // namespace deepnet::kernels::cpu
