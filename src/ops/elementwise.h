// Element-wise ops over tensors of equal size (kernels/elementwise.h):
//   add: y = a + b;  copy: y = x;  fill: y = value;  accumulate: y += x;  axpby: y = b * y + a * x
//   gather_rows: y (blocks, M, C) = x (blocks, N, C) rows[m] of each block (beam reordering)
#pragma once

#include "src/core/context.h"

namespace deepnet::ops {

void add(const Context& ctx, const TensorView& y, const TensorView& a, const TensorView& b);
void copy(const Context& ctx, const TensorView& y, const TensorView& x);
void fill(const Context& ctx, const TensorView& y, double value);
void accumulate(const Context& ctx, const TensorView& y, const TensorView& x);
void axpby(const Context& ctx, const TensorView& y, const TensorView& x, double a, double b);
// y must not alias x. rows: (M) i64 in [0, N).
void gather_rows(const Context& ctx, const TensorView& y, const TensorView& x, const TensorView& rows);

}  // namespace deepnet::ops
