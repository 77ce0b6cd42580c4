// Fused residual + LayerNorm, the DeepNorm sublayer output:
//   z = alpha * x + f            (f null: z = x, a plain LayerNorm)
//   y = (z - mean) * rstd * gamma + beta
// Shapes: x, f, y: (N, C); mean, rstd: (N) saved for backward; gamma, beta: (C).
// Backward: dx = alpha * dz (=), df = dz (=, skipped when null), dgamma += , dbeta += .
// dx or df may alias dy (each row reads dy fully before writing).
#pragma once

#include <cstdint>

#include "kernels/kernel_types.h"

namespace deepnet::kernels::cpu {

template <typename T>
void residual_layernorm_forward(T* y, T* mean, T* rstd, const T* x, const T* f, const T* gamma, const T* beta, T alpha, T eps, int64_t N, int64_t C);

template <typename T>
void residual_layernorm_backward(T* dx, T* df, T* dgamma, T* dbeta, const T* dy, const T* x,
                                 const T* f, const T* gamma, const T* mean, const T* rstd,
                                 T alpha, int64_t N, int64_t C);

}  // namespace deepnet::kernels::cpu

// The CUDA twin (kernels/residual_layernorm_cuda.cu): the CPU order with fp32 statistics and gradients, then
// the sizes, scratch and stream it needs. Storage T = float or bf16.
namespace deepnet::kernels::cuda {

// ---- residual_layernorm: y = LN(alpha * x + f), see kernels/residual_layernorm.h --------
// x, f, y: (N, C) T; f may be null. mean, rstd: (N) fp32. gamma, beta: (C) T.
// y may alias x. Warp per row when C <= 1024 and rows are 16-byte aligned; else block per
// row with the row in shared memory (C up to the device's shared-memory limit / 16).
template <typename T>
void residual_layernorm_forward(T* y, float* mean, float* rstd, const T* x, const T* f, const T* gamma, const T* beta, float alpha, float eps, int64_t N, int64_t C, cudaStream_t stream);

// Backward: dx = alpha * dz (=), df = dz (=, skipped when null), dgamma, dbeta (fp32, +=).
// dx or df may alias dy. Deterministic: per-block partial sums of dgamma/dbeta go to
// `scratch` (residual_layernorm_backward_scratch_floats(N, C) floats), then one kernel adds
// them in a fixed order.
int64_t residual_layernorm_backward_scratch_floats(int64_t N, int64_t C);
template <typename T>
void residual_layernorm_backward(T* dx, T* df, float* dgamma, float* dbeta, const T* dy, const T* x,
                                 const T* f, const T* gamma, const float* mean, const float* rstd,
                                 float alpha, int64_t N, int64_t C, float* scratch,
                                 cudaStream_t stream);

}  // namespace deepnet::kernels::cuda
