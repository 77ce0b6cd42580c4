// FFN activations, elementwise:  h = act(a)   a, h: (N*F)
//   relu(a) = max(a, 0);  gelu(a) = a * Phi(a) = 0.5 a (1 + erf(a / sqrt 2))  (exact, as
//   PyTorch's default and fairseq's "gelu")
// Backward: da = dh * act'(a) (=); da may alias dh.
#pragma once

#include <cstdint>

#include "kernels/kernel_types.h"

namespace deepnet::kernels {
enum class ActKind { ReLU, GELU };
}

namespace deepnet::kernels::cpu {

template <typename T>
void activation_forward(T* h, const T* a, ActKind kind, int64_t n);

template <typename T>
void activation_backward(T* da, const T* dh, const T* a, ActKind kind, int64_t n);

}  // namespace deepnet::kernels::cpu

// The CUDA twin (kernels/activation_cuda.cu): the CPU order with fp32 statistics and gradients, then
// the sizes, scratch and stream it needs. Storage T = float or bf16.
namespace deepnet::kernels::cuda {

// ---- activation: relu / exact gelu, see kernels/activation.h -----------------------------
template <typename T>
void activation_forward(T* h, const T* a, ActKind kind, int64_t n, cudaStream_t stream);
// da = dh * act'(a) (=); da may alias dh.
template <typename T>
void activation_backward(T* da, const T* dh, const T* a, ActKind kind, int64_t n, cudaStream_t stream);

}  // namespace deepnet::kernels::cuda
