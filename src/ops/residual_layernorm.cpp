// Residual + LayerNorm op: checks, then the CPU kernel or the CUDA one. Statistics are f32
// beside f32 or bf16 values (f64 beside f64); on CUDA the parameter gradients are f32.
#include "src/ops/residual_layernorm.h"

#include "kernels/residual_layernorm.h"
#include "src/ops/op_checks.h"

namespace deepnet::ops {

void residual_layernorm_forward(const Context& ctx, const TensorView& y, const TensorView& mean,
                                const TensorView& rstd, const TensorView& x, const TensorView& f,
                                const TensorView& gamma, const TensorView& beta, double alpha,
                                double eps) {
    const char* op = "residual_layernorm_forward";
    const int64_t N = x.dim(0), C = x.dim(1);
    detail::check_values(ctx, op, x.dtype,
                         {{y, "y", {N, C}}, {x, "x", {N, C}}, {f, "f", {N, C}, true}, {gamma, "gamma", {C}},
                          {beta, "beta", {C}}});
    detail::check_values(ctx, op, detail::stats_type(x.dtype), {{mean, "mean", {N}}, {rstd, "rstd", {N}}});
    detail::on_device(ctx, op, x.dtype, [&](auto t) {
        using T = decltype(t);
        kernels::cpu::residual_layernorm_forward<T>(y.as<T>(), mean.as<T>(), rstd.as<T>(), x.as<T>(),
                                                    f.as<T>(), gamma.as<T>(), beta.as<T>(), T(alpha),
                                                    T(eps), N, C);
    }, [&](auto t) {
        using T = decltype(t);
        kernels::cuda::residual_layernorm_forward<T>(y.as<T>(), mean.as<float>(), rstd.as<float>(), x.as<T>(),
                                                     f.as<T>(), gamma.as<T>(), beta.as<T>(), float(alpha),
                                                     float(eps), N, C, detail::stream_of(ctx));
    });
}

void residual_layernorm_backward(const Context& ctx, const TensorView& dx, const TensorView& df,
                                 const TensorView& dgamma, const TensorView& dbeta,
                                 const TensorView& dy, const TensorView& x, const TensorView& f,
                                 const TensorView& gamma, const TensorView& mean,
                                 const TensorView& rstd, double alpha) {
    const char* op = "residual_layernorm_backward";
    const int64_t N = x.dim(0), C = x.dim(1);
    const bool cuda = ctx.device.kind == DeviceKind::CUDA;
    detail::check_values(ctx, op, x.dtype,
                         {{dx, "dx", {N, C}}, {df, "df", {N, C}, true}, {dy, "dy", {N, C}}, {x, "x", {N, C}},
                          {f, "f", {N, C}, true}, {gamma, "gamma", {C}}});
    detail::check_values(ctx, op, cuda ? DType::F32 : x.dtype, {{dgamma, "dgamma", {C}}, {dbeta, "dbeta", {C}}});
    detail::check_values(ctx, op, detail::stats_type(x.dtype), {{mean, "mean", {N}}, {rstd, "rstd", {N}}});
    detail::on_device(ctx, op, x.dtype, [&](auto t) {
        using T = decltype(t);
        kernels::cpu::residual_layernorm_backward<T>(dx.as<T>(), df.as<T>(), dgamma.as<T>(),
                                                     dbeta.as<T>(), dy.as<T>(), x.as<T>(), f.as<T>(),
                                                     gamma.as<T>(), mean.as<T>(), rstd.as<T>(),
                                                     T(alpha), N, C);
    }, [&](auto t) {
        using T = decltype(t);
        const int64_t floats = kernels::cuda::residual_layernorm_backward_scratch_floats(N, C);
        auto* scratch = static_cast<float*>(detail::workspace(ctx, op, size_t(floats) * sizeof(float)));
        kernels::cuda::residual_layernorm_backward<T>(dx.as<T>(), df.as<T>(), dgamma.as<float>(), dbeta.as<float>(),
                                                      dy.as<T>(), x.as<T>(), f.as<T>(), gamma.as<T>(),
                                                      mean.as<float>(), rstd.as<float>(), float(alpha), N, C,
                                                      scratch, detail::stream_of(ctx));
    });
}

}  // namespace deepnet::ops
