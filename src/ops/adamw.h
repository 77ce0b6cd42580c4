// The optimizer ops over flat buffers (kernels/adamw.h), and the one AdamW step that the
// single-process optimizer (src/train/optimizer.h) and the ZeRO-1 sharded one
// (src/dist/sharded_adam.h) share:
//   norm = grad_scale * sqrt(sum g^2)      (summed over ranks by `all_reduce_sum` if given)
//   a non-finite norm skips the update (nothing changes, steps included)
//   clipping: scale = grad_scale * min(1, clip_norm / norm)
//   AdamW with g' = scale * g; steps counts applied updates from 1
#pragma once

#include <cstdint>
#include <functional>

#include "src/core/context.h"

namespace deepnet::ops {

struct AdamConfig {
    double beta1 = 0.9, beta2 = 0.98, eps = 1e-9;  // Marian's optimizer-params defaults
    double weight_decay = 0;                       // decoupled (AdamW) when > 0
    double clip_norm = 0;                          // 0 = off
};

struct UpdateInfo {
    double grad_norm = 0;  // of the scaled gradient, before clipping
    bool finite = true;    // false: NaN/Inf gradient, the update was skipped
};

// p, g, m, v: flat (n). One fused pass.
void adamw_update(const Context& ctx, const TensorView& p, const TensorView& g, const TensorView& m,
                  const TensorView& v, const AdamConfig& cfg, double lr, double grad_scale,
                  int64_t step);

// Sum of squares in double (fixed order: repeats bitwise).
double sum_squares(const Context& ctx, const TensorView& x);

UpdateInfo adamw_step(const Context& ctx, const TensorView& p, const TensorView& g,
                      const TensorView& m, const TensorView& v, const AdamConfig& cfg, double lr,
                      double grad_scale, int64_t& steps,
                      const std::function<void(double&)>& all_reduce_sum = nullptr);

}  // namespace deepnet::ops
