// Optimizer ops: checks, then the CPU kernels or the CUDA branch; the shared AdamW step.
#include "src/ops/adamw.h"

#include <cmath>

#include <type_traits>

#include "kernels/adamw.h"
#include "src/core/cuda_context.h"
#include "src/ops/op_checks.h"

namespace deepnet::ops {

void adamw_update(const Context& ctx, const TensorView& p, const TensorView& g, const TensorView& m,
                  const TensorView& v, const AdamConfig& cfg, double lr, double grad_scale,
                  int64_t step) {
    const int64_t n = p.numel();
    detail::check_values(ctx, "adamw_update", p.dtype,
                         {{p, "p", {n}}, {g, "g", {n}}, {m, "m", {n}}, {v, "v", {n}}});
    const kernels::cpu::AdamParams a{lr, cfg.beta1, cfg.beta2, cfg.eps, cfg.weight_decay, grad_scale, step};
    detail::on_device(ctx, "adamw_update", p.dtype, [&](auto t) {
        using T = decltype(t);
        kernels::cpu::adamw_update<T>(p.as<T>(), g.as<T>(), m.as<T>(), v.as<T>(), a, n);
    }, [&](auto t) {
        using T = decltype(t);  // fp32 master weights and moments only
        if constexpr (std::is_same_v<T, float>)
            kernels::cuda::adamw_update(p.as<float>(), g.as<float>(), m.as<float>(), v.as<float>(), a, nullptr,
                                        nullptr, n, detail::stream_of(ctx));
        else
            detail::unsupported_dtype("adamw_update", p.dtype);
    });
}

double sum_squares(const Context& ctx, const TensorView& x) {
    detail::check_values(ctx, "sum_squares", x.dtype, {{x, "x", {x.numel()}}});
    double s = 0;
    detail::on_device(ctx, "sum_squares", x.dtype, [&](auto t) {
        using T = decltype(t);
        s = kernels::cpu::sum_squares<T>(x.as<T>(), x.numel());
    }, [&](auto t) {
        using T = decltype(t);
        const size_t bytes = sizeof(double) * size_t(1 + kernels::cuda::sum_squares_scratch_doubles());
        auto* out = static_cast<double*>(detail::workspace(ctx, "sum_squares", bytes));
        kernels::cuda::sum_squares<T>(out, x.as<T>(), x.numel(), out + 1, detail::stream_of(ctx));
        cuda_copy_to_host(&s, out, sizeof(double), detail::stream_of(ctx));
    });
    return s;
}

UpdateInfo adamw_step(const Context& ctx, const TensorView& p, const TensorView& g,
                      const TensorView& m, const TensorView& v, const AdamConfig& cfg, double lr,
                      double grad_scale, int64_t& steps,
                      const std::function<void(double&)>& all_reduce_sum) {
    double ss = sum_squares(ctx, g);
    if (all_reduce_sum) all_reduce_sum(ss);
    UpdateInfo info;
    info.grad_norm = grad_scale * std::sqrt(ss);
    if (!std::isfinite(info.grad_norm)) {
        info.finite = false;
        return info;
    }
    double scale = grad_scale;
    if (cfg.clip_norm > 0 && info.grad_norm > cfg.clip_norm) scale *= cfg.clip_norm / info.grad_norm;
    ++steps;
    adamw_update(ctx, p, g, m, v, cfg, lr, scale, steps);
    return info;
}

}  // namespace deepnet::ops
