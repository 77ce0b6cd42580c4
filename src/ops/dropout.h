// Dropout op (kernels/dropout.h): y = x * keep(i) / (1 - p), keep(i) = uniform01(key, i) >= p,
// a mask recomputed from (key, i), never stored. p = 0 copies. In place allowed. Views are
// flat (n).
#pragma once

#include <cstdint>

#include "src/core/context.h"

namespace deepnet::ops {

void dropout_forward(const Context& ctx, const TensorView& y, const TensorView& x, double p, uint64_t key);
void dropout_backward(const Context& ctx, const TensorView& dx, const TensorView& dy, double p, uint64_t key);

}  // namespace deepnet::ops
