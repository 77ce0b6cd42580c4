// AdamW over a flat parameter buffer (decoupled weight decay, PyTorch's AdamW):
//   g' = g * grad_scale;  m = b1 m + (1-b1) g';  v = b2 v + (1-b2) g'^2
//   p -= lr * wd * p;     p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
// p, g, m, v: (n); step t counts from 1. wd = 0 gives Adam.
#pragma once

#include <cstdint>

#include "kernels/kernel_types.h"

namespace deepnet::kernels::cpu {

struct AdamParams {
    double lr, beta1, beta2, eps, weight_decay, grad_scale;
    int64_t step;
};

template <typename T>
void adamw_update(T* p, const T* g, T* m, T* v, const AdamParams& a, int64_t n);

// sum of squares of x (n), accumulated in double: the global gradient norm is its sqrt.
template <typename T>
double sum_squares(const T* x, int64_t n);

}  // namespace deepnet::kernels::cpu

// The CUDA twin (kernels/adamw_cuda.cu): the CPU order with fp32 statistics and gradients, then
// the sizes, scratch and stream it needs. Storage T = float or bf16.
namespace deepnet::kernels::cuda {

// ---- adamw over the flat fp32 buffers, see kernels/adamw.h --------------------------------
// p, g, m, v: (n) fp32. One launch over the whole flat buffer. p_bf16 (nullable) receives
// bf16(p) after the update: the compute copy of mixed precision. dev_scale (nullable) is an
// extra gradient factor read on the device (e.g. the clipping factor), so clipping needs no
// host round trip.
void adamw_update(float* p, const float* g, float* m, float* v, const cpu::AdamParams& a, bf16* p_bf16, const float* dev_scale, int64_t n, cudaStream_t stream);

// *out (device, fp64) = sum of x^2, deterministic (fixed grid, fixed-order reduction).
// scratch: sum_squares_scratch_doubles() doubles.
int64_t sum_squares_scratch_doubles();
template <typename T>
void sum_squares(double* out, const T* x, int64_t n, double* scratch, cudaStream_t stream);

}  // namespace deepnet::kernels::cuda
