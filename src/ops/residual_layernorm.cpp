// Residual + LayerNorm op: checks, then the CPU kernel or the CUDA branch.
#include "src/ops/residual_layernorm.h"

#include "kernels/residual_layernorm.h"
#include "src/ops/op_checks.h"

namespace deepnet::ops {

void residual_layernorm_forward(const Context& ctx, const TensorView& y, const TensorView& mean,
                                const TensorView& rstd, const TensorView& x, const TensorView& f,
                                const TensorView& gamma, const TensorView& beta, double alpha,
                                double eps) {
    const int64_t N = x.dim(0), C = x.dim(1);
    detail::check_values(ctx, "residual_layernorm_forward", x.dtype,
                         {{y, "y", {N, C}}, {mean, "mean", {N}}, {rstd, "rstd", {N}}, {x, "x", {N, C}},
                          {f, "f", {N, C}, true}, {gamma, "gamma", {C}}, {beta, "beta", {C}}});
    detail::on_device(ctx, "residual_layernorm_forward", x.dtype, [&](auto t) {
        using T = decltype(t);
        kernels::cpu::residual_layernorm_forward<T>(y.as<T>(), mean.as<T>(), rstd.as<T>(), x.as<T>(), f.as<T>(), gamma.as<T>(), beta.as<T>(), T(alpha), T(eps), N, C);
    });
}

void residual_layernorm_backward(const Context& ctx, const TensorView& dx, const TensorView& df,
                                 const TensorView& dgamma, const TensorView& dbeta,
                                 const TensorView& dy, const TensorView& x, const TensorView& f,
                                 const TensorView& gamma, const TensorView& mean,
                                 const TensorView& rstd, double alpha) {
    const int64_t N = x.dim(0), C = x.dim(1);
    detail::check_values(ctx, "residual_layernorm_backward", x.dtype,
                         {{dx, "dx", {N, C}}, {df, "df", {N, C}, true}, {dgamma, "dgamma", {C}},
                          {dbeta, "dbeta", {C}}, {dy, "dy", {N, C}}, {x, "x", {N, C}},
                          {f, "f", {N, C}, true}, {gamma, "gamma", {C}}, {mean, "mean", {N}},
                          {rstd, "rstd", {N}}});
    detail::on_device(ctx, "residual_layernorm_backward", x.dtype, [&](auto t) {
        using T = decltype(t);
        kernels::cpu::residual_layernorm_backward<T>(dx.as<T>(), df.as<T>(), dgamma.as<T>(),
                                                     dbeta.as<T>(), dy.as<T>(), x.as<T>(), f.as<T>(),
                                                     gamma.as<T>(), mean.as<T>(), rstd.as<T>(),
                                                     T(alpha), N, C);
    });
}

}  // namespace deepnet::ops
