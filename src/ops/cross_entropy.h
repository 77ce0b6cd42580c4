// Label-smoothed cross-entropy op (kernels/cross_entropy.h) and the loss sums:
//   logits: (N, V)  targets: (N) i64, -1 = ignored row  loss, nll, lse: (N)
#pragma once

#include <cstdint>

#include "src/core/context.h"

namespace deepnet::ops {

void cross_entropy_forward(const Context& ctx, const TensorView& loss, const TensorView& nll,
                           const TensorView& lse, const TensorView& logits,
                           const TensorView& targets, double label_smoothing);

// dlogits = scale * (softmax - q) (=); may alias logits.
void cross_entropy_backward(const Context& ctx, const TensorView& dlogits, const TensorView& logits,
                            const TensorView& lse, const TensorView& targets,
                            double label_smoothing, double scale);

struct LossSums {
    double loss = 0, nll = 0;
};
// The sums over rows of loss and nll, in a fixed order (on the device, then one copy back).
LossSums loss_sums(const Context& ctx, const TensorView& loss, const TensorView& nll);

}  // namespace deepnet::ops
