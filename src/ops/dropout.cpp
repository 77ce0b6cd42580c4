// Dropout op: checks, then the CPU kernel or the CUDA branch.
#include "src/ops/dropout.h"

#include "kernels/dropout.h"
#include "src/ops/op_checks.h"

namespace deepnet::ops {

void dropout_forward(const Context& ctx, const TensorView& y, const TensorView& x, double p, uint64_t key) {
    const int64_t n = x.numel();
    detail::check_values(ctx, "dropout_forward", x.dtype, {{y, "y", {n}}, {x, "x", {n}}});
    detail::on_device(ctx, "dropout_forward", x.dtype, [&](auto t) {
        using T = decltype(t);
        kernels::cpu::dropout_forward<T>(y.as<T>(), x.as<T>(), T(p), key, n);
    }, [&](auto t) {
        using T = decltype(t);
        kernels::cuda::dropout_forward<T>(y.as<T>(), x.as<T>(), float(p), key, n, detail::stream_of(ctx));
    });
}

void dropout_backward(const Context& ctx, const TensorView& dx, const TensorView& dy, double p, uint64_t key) {
    const int64_t n = dy.numel();
    detail::check_values(ctx, "dropout_backward", dy.dtype, {{dx, "dx", {n}}, {dy, "dy", {n}}});
    detail::on_device(ctx, "dropout_backward", dy.dtype, [&](auto t) {
        using T = decltype(t);
        kernels::cpu::dropout_backward<T>(dx.as<T>(), dy.as<T>(), T(p), key, n);
    }, [&](auto t) {
        using T = decltype(t);
        kernels::cuda::dropout_backward<T>(dx.as<T>(), dy.as<T>(), float(p), key, n, detail::stream_of(ctx));
    });
}

}  // namespace deepnet::ops
