// Activation op: checks, then the CPU kernel or the CUDA branch.
#include "src/ops/activation.h"

#include "src/ops/op_checks.h"

namespace deepnet::ops {

void activation_forward(const Context& ctx, const TensorView& h, const TensorView& a, ActKind kind) {
    const int64_t n = a.numel();
    detail::check_values(ctx, "activation_forward", a.dtype, {{h, "h", {n}}, {a, "a", {n}}});
    detail::on_device(ctx, "activation_forward", a.dtype, [&](auto t) {
        using T = decltype(t);
        kernels::cpu::activation_forward<T>(h.as<T>(), a.as<T>(), kind, n);
    }, [&](auto t) {
        using T = decltype(t);
        kernels::cuda::activation_forward<T>(h.as<T>(), a.as<T>(), kind, n, detail::stream_of(ctx));
    });
}

void activation_backward(const Context& ctx, const TensorView& da, const TensorView& dh,
                         const TensorView& a, ActKind kind) {
    const int64_t n = a.numel();
    detail::check_values(ctx, "activation_backward", a.dtype,
                         {{da, "da", {n}}, {dh, "dh", {n}}, {a, "a", {n}}});
    detail::on_device(ctx, "activation_backward", a.dtype, [&](auto t) {
        using T = decltype(t);
        kernels::cpu::activation_backward<T>(da.as<T>(), dh.as<T>(), a.as<T>(), kind, n);
    }, [&](auto t) {
        using T = decltype(t);
        kernels::cuda::activation_backward<T>(da.as<T>(), dh.as<T>(), a.as<T>(), kind, n, detail::stream_of(ctx));
    });
}

}  // namespace deepnet::ops
