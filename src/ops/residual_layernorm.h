// Fused residual + LayerNorm op (kernels/residual_layernorm.h):
//   y = LN(alpha * x + f) * gamma + beta;  f may be empty (plain LayerNorm of x)
//   x, f, y: (N, C)  gamma, beta: (C)  mean, rstd: (N) saved for backward
#pragma once

#include "src/core/context.h"

namespace deepnet::ops {

void residual_layernorm_forward(const Context& ctx, const TensorView& y, const TensorView& mean,
                                const TensorView& rstd, const TensorView& x, const TensorView& f,
                                const TensorView& gamma, const TensorView& beta, double alpha,
                                double eps);

// dx = alpha * dz (=), df = dz (=, skipped when empty), dgamma and dbeta accumulate (+=).
void residual_layernorm_backward(const Context& ctx, const TensorView& dx, const TensorView& df,
                                 const TensorView& dgamma, const TensorView& dbeta,
                                 const TensorView& dy, const TensorView& x, const TensorView& f,
                                 const TensorView& gamma, const TensorView& mean,
                                 const TensorView& rstd, double alpha);

}  // namespace deepnet::ops
