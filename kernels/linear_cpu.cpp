// Linear layer on OpenBLAS (float: sgemm, double: dgemm for gradient checks).
#include "kernels/linear.h"

#include <cblas.h>

#include <climits>
#include <stdexcept>

namespace deepnet::kernels::cpu {
namespace {

int blas_int(int64_t v) {
    // Debian's OpenBLAS takes 32-bit sizes.
    if (v < 0 || v > INT_MAX) throw std::length_error("gemm: dimension exceeds 32-bit BLAS int");
    return int(v);
}

void blas_gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
               int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                blas_int(M), blas_int(N), blas_int(K), alpha, A, blas_int(lda), B, blas_int(ldb),
                beta, C, blas_int(ldc));
}

void blas_gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, double alpha, const double* A,
               int64_t lda, const double* B, int64_t ldb, double beta, double* C, int64_t ldc) {
    cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                blas_int(M), blas_int(N), blas_int(K), alpha, A, blas_int(lda), B, blas_int(ldb),
                beta, C, blas_int(ldc));
}

}  // namespace

template <typename T>
void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda,
          const T* B, int64_t ldb, T beta, T* C, int64_t ldc) {
    if (M == 0 || N == 0) return;
    blas_gemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

template <typename T>
void linear_forward(T* y, const T* x, const T* w, const T* b, int64_t N, int64_t I, int64_t O) {
    if (b) {
        // Broadcast the bias into y, then let the GEMM accumulate onto it (one pass over y).
#pragma omp parallel for schedule(static)
        for (int64_t n = 0; n < N; ++n)
            for (int64_t o = 0; o < O; ++o) y[n * O + o] = b[o];
    }
    gemm<T>(false, true, N, O, I, T(1), x, I, w, I, b ? T(1) : T(0), y, O);
}

template <typename T>
void linear_backward(T* dx, T* dw, T* db, const T* dy, const T* x, const T* w, int64_t N,
                     int64_t I, int64_t O, bool accumulate_dx) {
    if (dx) gemm<T>(false, false, N, I, O, T(1), dy, O, w, I, T(accumulate_dx ? 1 : 0), dx, I);
    gemm<T>(true, false, O, I, N, T(1), dy, O, x, I, T(1), dw, I);
    if (db) {
        // Column sums: each thread owns a block of columns, rows stream through the cache.
#pragma omp parallel for schedule(static)
        for (int64_t o0 = 0; o0 < O; o0 += 64) {
            const int64_t o1 = o0 + 64 < O ? o0 + 64 : O;
            for (int64_t n = 0; n < N; ++n)
                for (int64_t o = o0; o < o1; ++o) db[o] += dy[n * O + o];
        }
    }
}

#define DEEPNET_INSTANTIATE(T)                                                              \
    template void gemm<T>(bool, bool, int64_t, int64_t, int64_t, T, const T*, int64_t,      \
                          const T*, int64_t, T, T*, int64_t);                               \
    template void linear_forward<T>(T*, const T*, const T*, const T*, int64_t, int64_t,     \
                                    int64_t);                                               \
    template void linear_backward<T>(T*, T*, T*, const T*, const T*, const T*, int64_t,     \
                                     int64_t, int64_t, bool);
DEEPNET_INSTANTIATE(float)
DEEPNET_INSTANTIATE(double)
#undef DEEPNET_INSTANTIATE

}  // namespace deepnet::kernels::cpu
