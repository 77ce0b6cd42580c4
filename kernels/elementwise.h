// Element-wise arithmetic and row copies over flat buffers (n elements; in place allowed
// where noted). Each loop is the one the layers, the optimizer and the decoder used to run
// themselves; here so that the CUDA path has a twin to fill and the CPU path one place.
//   add:        y = a + b                (y may alias a or b)
//   copy:       y = x
//   fill:       y = value
//   accumulate: y += x
//   axpby:      y = b * y + a * x        (weight averaging: a = factor, b = 1 - factor)
//   gather_rows: y(blk, m, :) = x(blk, rows[m], :)  for blk < blocks, m < M; x: (blocks, N, C)
//                (beam reordering of time-major caches; y must not alias x)
//   to_bf16, to_f16: y = x rounded to bfloat16 / binary16, ties to even (the 16-bit GEMM
//                operands of float tensors)
#pragma once

#include <cstdint>

#include "kernels/kernel_types.h"

namespace deepnet::kernels::cpu {

template <typename T>
void add(T* y, const T* a, const T* b, int64_t n);
template <typename T>
void copy(T* y, const T* x, int64_t n);
template <typename T>
void fill(T* y, T value, int64_t n);
template <typename T>
void accumulate(T* y, const T* x, int64_t n);
template <typename T>
void axpby(T* y, const T* x, T a, T b, int64_t n);
template <typename T>
void gather_rows(T* y, const T* x, const int64_t* rows, int64_t blocks, int64_t M, int64_t N,
                 int64_t C);
void to_bf16(bf16* y, const float* x, int64_t n);
void to_f16(f16* y, const float* x, int64_t n);

}  // namespace deepnet::kernels::cpu

// The CUDA twin (kernels/elementwise_cuda.cu): the CPU order, then the stream; fp32
// arithmetic on float or bf16 storage (equal to the CPU's bit for bit, axpby to a rounding).
namespace deepnet::kernels::cuda {

template <typename T>
void add(T* y, const T* a, const T* b, int64_t n, cudaStream_t stream);
template <typename T>
void copy(T* y, const T* x, int64_t n, cudaStream_t stream);
template <typename T>
void fill(T* y, float value, int64_t n, cudaStream_t stream);
template <typename T>
void accumulate(T* y, const T* x, int64_t n, cudaStream_t stream);
template <typename T>
void axpby(T* y, const T* x, float a, float b, int64_t n, cudaStream_t stream);
template <typename T>
void gather_rows(T* y, const T* x, const int64_t* rows, int64_t blocks, int64_t M, int64_t N, int64_t C,
                 cudaStream_t stream);
void to_bf16(bf16* y, const float* x, int64_t n, cudaStream_t stream);
void to_f16(f16* y, const float* x, int64_t n, cudaStream_t stream);

}  // namespace deepnet::kernels::cuda
