// Fused residual + LayerNorm, the DeepNorm sublayer output:
//   z = alpha * x + f            (f null: z = x, a plain LayerNorm)
//   y = (z - mean) * rstd * gamma + beta
// Shapes: x, f, y: (N, C); mean, rstd: (N) saved for backward; gamma, beta: (C).
// Backward: dx = alpha * dz (=), df = dz (=, skipped when null), dgamma += , dbeta += .
// dx or df may alias dy (each row reads dy fully before writing).
#pragma once

#include <cstdint>

namespace deepnet::kernels::cpu {

template <typename T>
void residual_layernorm_forward(T* y, T* mean, T* rstd, const T* x, const T* f, const T* gamma,
                                const T* beta, T alpha, int64_t N, int64_t C, T eps);

template <typename T>
void residual_layernorm_backward(T* dx, T* df, T* dgamma, T* dbeta, const T* dy, const T* x,
                                 const T* f, const T* gamma, const T* mean, const T* rstd,
                                 T alpha, int64_t N, int64_t C);

}  // namespace deepnet::kernels::cpu
