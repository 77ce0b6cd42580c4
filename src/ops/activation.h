// FFN activation op (kernels/activation.h): h = act(a), relu or exact gelu; a, h flat (n).
#pragma once

#include "kernels/activation.h"
#include "src/core/context.h"

namespace deepnet::ops {

using ActKind = kernels::ActKind;

void activation_forward(const Context& ctx, const TensorView& h, const TensorView& a, ActKind kind);
// da = dh * act'(a) (=); da may alias dh.
void activation_backward(const Context& ctx, const TensorView& da, const TensorView& dh,
                         const TensorView& a, ActKind kind);

}  // namespace deepnet::ops
