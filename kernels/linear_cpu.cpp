// Linear layer: float on oneDNN (float32 or bfloat16 GEMMs, bias fused; onednn_matmul.h),
// double (the gradient checks) on OpenBLAS's dgemm.
#include "kernels/linear.h"

#include <cblas.h>

#include <climits>
#include <stdexcept>
#include <type_traits>
#include <vector>

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

// x rounded to binary16 values, kept as floats (MatmulPrecision::Float16's operands).
const float* rounded_to_f16(std::vector<float>& out, const float* x, int64_t n) {
    out.resize(size_t(n));
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i) out[size_t(i)] = from_f16(to_f16(x[i]));
    return out.data();
}

// C = op(A) op(B) + beta C (+ bias per column; a bias needs beta 0) in the requested
// precision: float on oneDNN (which adds the bias itself), double (the gradient checks) on
// OpenBLAS after broadcasting the bias into C.
template <typename T>
void gemm_in(MatmulPrecision precision, bool ta, bool tb, int64_t M, int64_t N, int64_t K,
             const T* A, int64_t lda, const T* B, int64_t ldb, T beta, T* C, int64_t ldc,
             const T* bias = nullptr) {
    if constexpr (std::is_same_v<T, float>) {
        if (precision == MatmulPrecision::BFloat16) {
            gemm_bf16(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc, bias);
        } else if (precision == MatmulPrecision::Float16) {
            thread_local std::vector<float> a16, b16;
            // rows x cols with row stride ld spans (rows - 1) ld + cols elements
            const auto span = [](int64_t rows, int64_t cols, int64_t ld) { return rows > 0 ? (rows - 1) * ld + cols : 0; };
            gemm_f32(ta, tb, M, N, K, rounded_to_f16(a16, A, span(ta ? K : M, ta ? M : K, lda)), lda,
                     rounded_to_f16(b16, B, span(tb ? N : K, tb ? K : N, ldb)), ldb, beta, C, ldc, bias);
        } else {
            gemm_f32(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc, bias);
        }
    } else {
        if (precision != MatmulPrecision::Float32)
            throw std::invalid_argument("bfloat16 and float16 GEMMs take float32 operands");
        if (M == 0 || N == 0) return;
        if (bias) {
            // Broadcast the bias into C, then let the GEMM accumulate onto it (one pass over C).
#pragma omp parallel for schedule(static)
            for (int64_t m = 0; m < M; ++m)
                for (int64_t n = 0; n < N; ++n) C[m * ldc + n] = bias[n];
            beta = T(1);
        }
        blas_gemm(ta, tb, M, N, K, T(1), A, lda, B, ldb, beta, C, ldc);
    }
}

// db += column sums of dy (N, O): each thread owns a block of columns, rows stream through.
template <typename T>
void column_sums_add(T* db, const T* dy, int64_t N, int64_t O) {
#pragma omp parallel for schedule(static)
    for (int64_t o0 = 0; o0 < O; o0 += 64) {
        const int64_t o1 = o0 + 64 < O ? o0 + 64 : O;
        for (int64_t n = 0; n < N; ++n)
            for (int64_t o = o0; o < o1; ++o) db[o] += dy[n * O + o];
    }
}

}  // namespace

template <typename T>
void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda,
          const T* B, int64_t ldb, T beta, T* C, int64_t ldc) {
    if (M == 0 || N == 0) return;
    blas_gemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

template <typename T>
void linear_forward(T* y, const T* x, const T* w, const T* b, int64_t N, int64_t I, int64_t O,
                    MatmulPrecision precision) {
    gemm_in<T>(precision, false, true, N, O, I, x, I, w, I, T(0), y, O, b);
}

template <typename T>
void linear_backward(T* dx, T* dw, T* db, const T* dy, const T* x, const T* w, int64_t N,
                     int64_t I, int64_t O, bool accumulate_dx, MatmulPrecision precision) {
    if constexpr (std::is_same_v<T, float>) {
        if (precision == MatmulPrecision::BFloat16 && N > 0) {
            // dy feeds both GEMMs: round it once.
            thread_local Bf16Buffer dy16, w16, x16;
            if (db)
                pack_bf16_add_column_sums(dy16, dy, N, O, db);
            else
                pack_bf16(dy16, dy, N, O, O);
            if (dx) {
                pack_bf16(w16, w, O, I, I);
                gemm_bf16_rounded(false, false, N, I, O, dy16.data.data(), O, w16.data.data(), I,
                                  accumulate_dx ? 1.f : 0.f, dx, I);
            }
            pack_bf16(x16, x, N, I, I);
            gemm_bf16_rounded(true, false, O, I, N, dy16.data.data(), O, x16.data.data(), I, 1.f, dw, I);
            return;
        }
        if (precision == MatmulPrecision::Float16 && N > 0) {
            thread_local std::vector<float> dy16, w16, x16;  // dy rounded once for both GEMMs
            const float* dyr = rounded_to_f16(dy16, dy, N * O);
            if (dx)
                gemm_f32(false, false, N, I, O, dyr, O, rounded_to_f16(w16, w, O * I), I,
                         accumulate_dx ? 1.f : 0.f, dx, I);
            gemm_f32(true, false, O, I, N, dyr, O, rounded_to_f16(x16, x, N * I), I, 1.f, dw, I);
            if (db) column_sums_add(db, dy, N, O);
            return;
        }
    }
    if (dx)
        gemm_in<T>(precision, false, false, N, I, O, dy, O, w, I, T(accumulate_dx ? 1 : 0), dx, I);
    gemm_in<T>(precision, true, false, O, I, N, dy, O, x, I, T(1), dw, I);
    if (db) column_sums_add(db, dy, N, O);
}

#define DEEPNET_INSTANTIATE(T)                                                              \
    template void gemm<T>(bool, bool, int64_t, int64_t, int64_t, T, const T*, int64_t,      \
                          const T*, int64_t, T, T*, int64_t);                               \
    template void linear_forward<T>(T*, const T*, const T*, const T*, int64_t, int64_t,     \
                                    int64_t, MatmulPrecision);                              \
    template void linear_backward<T>(T*, T*, T*, const T*, const T*, const T*, int64_t,     \
                                     int64_t, int64_t, bool, MatmulPrecision);
DEEPNET_INSTANTIATE(float)
DEEPNET_INSTANTIATE(double)
#undef DEEPNET_INSTANTIATE

}  // namespace deepnet::kernels::cpu
