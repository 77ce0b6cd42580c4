// Inverted dropout with a counter-based mask:  y[i] = x[i] * keep(i) / (1 - p),
// keep(i) = uniform01(key, i) >= p. The mask is a function of (key, i), never stored.
// Backward is the same map applied to dy (dx =). In place (y == x) is allowed.
#pragma once

#include <cstdint>

#include "kernels/kernel_types.h"

namespace deepnet::kernels::cpu {

template <typename T>
void dropout_forward(T* y, const T* x, T p, uint64_t key, int64_t n);

template <typename T>
void dropout_backward(T* dx, const T* dy, T p, uint64_t key, int64_t n);

}  // namespace deepnet::kernels::cpu

// The CUDA twin (kernels/dropout_cuda.cu): the CPU order with fp32 statistics and gradients, then
// the sizes, scratch and stream it needs. Storage T = float or bf16.
namespace deepnet::kernels::cuda {

// ---- dropout: y = x * keep(i) / (1 - p), keep(i) = uniform01(key, i) >= p ----------------
// The mask is the CPU's bit for bit (kernels/counter_rng.h). In place allowed.
template <typename T>
void dropout_forward(T* y, const T* x, float p, uint64_t key, int64_t n, cudaStream_t stream);
template <typename T>
void dropout_backward(T* dx, const T* dy, float p, uint64_t key, int64_t n, cudaStream_t stream);

}  // namespace deepnet::kernels::cuda
