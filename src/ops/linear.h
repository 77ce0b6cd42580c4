// Linear layer op: y = x W^T + b, and its backward (kernels/linear.h).
//   x: (N, I)  w: (O, I)  b: (O) or empty  y: (N, O)
// The GEMM precision comes from the context (ctx.precision.gemm: F32, or BF16 operands with
// float32 sums); float64 tensors always compute exactly.
#pragma once

#include <string>

#include "src/core/context.h"

namespace deepnet::ops {

// With relu, y = max(0, x W^T + b): on CUDA in the GEMM's epilogue (one pass over y less),
// on the CPU by the activation kernel after the GEMM; the same values either way. (The FFN's
// ReLU backward needs only y: relu(a) > 0 exactly where a > 0.)
void linear_forward(const Context& ctx, const TensorView& y, const TensorView& x,
                    const TensorView& w, const TensorView& b, bool relu = false);

// dx = dy W (=, or += with accumulate_dx); dw += dy^T x; db += column sums of dy.
void linear_backward(const Context& ctx, const TensorView& dx, const TensorView& dw,
                     const TensorView& db, const TensorView& dy, const TensorView& x,
                     const TensorView& w, bool accumulate_dx = false);

// Empty when bfloat16 GEMMs run on this CPU, else why not (for a clear error at start-up).
std::string bf16_gemm_unavailable_reason();
// True when the bfloat16 GEMMs use AMX tiles (for the log and the benchmarks).
bool bf16_gemm_uses_amx();

}  // namespace deepnet::ops
