// Element-wise loops on the CPU (see elementwise.h): OpenMP over elements, vectorised.
#include "kernels/elementwise.h"

#include <cstring>

namespace deepnet::kernels::cpu {

template <typename T>
void add(T* y, const T* a, const T* b, int64_t n) {
#pragma omp parallel for simd schedule(static)
    for (int64_t i = 0; i < n; ++i) y[i] = a[i] + b[i];
}

template <typename T>
void copy(T* y, const T* x, int64_t n) {
#pragma omp parallel for simd schedule(static)
    for (int64_t i = 0; i < n; ++i) y[i] = x[i];
}

template <typename T>
void fill(T* y, T value, int64_t n) {
#pragma omp parallel for simd schedule(static)
    for (int64_t i = 0; i < n; ++i) y[i] = value;
}

template <typename T>
void accumulate(T* y, const T* x, int64_t n) {
#pragma omp parallel for simd schedule(static)
    for (int64_t i = 0; i < n; ++i) y[i] += x[i];
}

template <typename T>
void axpby(T* y, const T* x, T a, T b, int64_t n) {
#pragma omp parallel for simd schedule(static)
    for (int64_t i = 0; i < n; ++i) y[i] = b * y[i] + a * x[i];
}

template <typename T>
void gather_rows(T* y, const T* x, const int64_t* rows, int64_t blocks, int64_t M, int64_t N,
                 int64_t C) {
#pragma omp parallel for collapse(2) schedule(static)
    for (int64_t blk = 0; blk < blocks; ++blk)
        for (int64_t m = 0; m < M; ++m)
            std::memcpy(y + (blk * M + m) * C, x + (blk * N + rows[m]) * C, size_t(C) * sizeof(T));
}

void to_bf16(bf16* y, const float* x, int64_t n) {
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i) y[i] = float_to_bf16(x[i]);
}

void to_f16(f16* y, const float* x, int64_t n) {
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i) y[i] = f16{kernels::to_f16(x[i])};
}

#define DEEPNET_INSTANTIATE(T)                                                   \
    template void add<T>(T*, const T*, const T*, int64_t);                       \
    template void copy<T>(T*, const T*, int64_t);                                \
    template void fill<T>(T*, T, int64_t);                                      \
    template void accumulate<T>(T*, const T*, int64_t);                          \
    template void axpby<T>(T*, const T*, T, T, int64_t);                         \
    template void gather_rows<T>(T*, const T*, const int64_t*, int64_t, int64_t, \
                                 int64_t, int64_t);
DEEPNET_INSTANTIATE(float)
DEEPNET_INSTANTIATE(double)
#undef DEEPNET_INSTANTIATE

}  // namespace deepnet::kernels::cpu
