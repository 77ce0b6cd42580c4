// Linear layer (float: oneDNN, double: OpenBLAS) and a general GEMM on the CPU BLAS.
//   y = x · W^T + b        x: (N, I)  W: (O, I) (PyTorch layout)  b: (O)  y: (N, O)
// Backward: dx = dy · W (= or +=), dW += dy^T · x, db += sum_rows(dy).
#pragma once

#include <cstdint>

#include "kernels/onednn_matmul.h"

namespace deepnet::kernels::cpu {

// Row-major C = alpha * op(A) · op(B) + beta * C; op = transpose when trans_* is set.
// op(A): (M, K), op(B): (K, N), C: (M, N).
template <typename T>
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, T alpha, const T* A,
          int64_t lda, const T* B, int64_t ldb, T beta, T* C, int64_t ldc);

// b may be null (no bias). With MatmulPrecision::BFloat16 (float only) the GEMMs round
// their operands to bfloat16 (kernels/onednn_matmul.h); bias and accumulation stay float32.
template <typename T>
void linear_forward(T* y, const T* x, const T* w, const T* b, int64_t N, int64_t I, int64_t O,
                    MatmulPrecision precision = MatmulPrecision::Float32);

// dx may be null (input needs no gradient); db may be null (no bias). With accumulate_dx,
// dx += dy · W (several projections of one input, e.g. q/k/v of self-attention).
template <typename T>
void linear_backward(T* dx, T* dw, T* db, const T* dy, const T* x, const T* w, int64_t N,
                     int64_t I, int64_t O, bool accumulate_dx = false,
                     MatmulPrecision precision = MatmulPrecision::Float32);

}  // namespace deepnet::kernels::cpu

// The GPU's GEMMs are kernels/gemm.h (cuBLASLt); src/ops/linear.cpp chooses by the device.
