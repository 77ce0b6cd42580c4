// Log-probability ops for decoding and scoring (kernels/log_softmax.h):
//   log_softmax_forward: x (N, V) in place -> log softmax of each row
//   target_log_probs:    out (N) f64 = log softmax(logits[n])_targets[n]; rows with target < 0
//                        keep their value
#pragma once

#include "src/core/context.h"

namespace deepnet::ops {

void log_softmax_forward(const Context& ctx, const TensorView& x);
void target_log_probs(const Context& ctx, const TensorView& out, const TensorView& logits,
                      const TensorView& targets);

}  // namespace deepnet::ops
