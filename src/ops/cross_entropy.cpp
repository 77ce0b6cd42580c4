// Cross-entropy op: checks, then the CPU kernels or the CUDA branch.
#include "src/ops/cross_entropy.h"

#include <type_traits>

#include "kernels/cross_entropy.h"
#include "src/core/cuda_context.h"
#include "src/ops/op_checks.h"

namespace deepnet::ops {

void cross_entropy_forward(const Context& ctx, const TensorView& loss, const TensorView& nll,
                           const TensorView& lse, const TensorView& logits,
                           const TensorView& targets, double label_smoothing) {
    const int64_t N = logits.dim(0), V = logits.dim(1);
    detail::check_values(ctx, "cross_entropy_forward", logits.dtype, {{logits, "logits", {N, V}}});
    detail::check_values(ctx, "cross_entropy_forward", detail::stats_type(logits.dtype),
                         {{loss, "loss", {N}}, {nll, "nll", {N}}, {lse, "lse", {N}}});
    detail::check_index(ctx, "cross_entropy_forward", {{targets, "targets", {N}}});
    detail::check_ids(ctx, "cross_entropy_forward", targets, "target", -1, V);  // -1: an ignored row
    detail::on_device(ctx, "cross_entropy_forward", logits.dtype, [&](auto t) {
        using T = decltype(t);
        kernels::cpu::cross_entropy_forward<T>(loss.as<T>(), nll.as<T>(), lse.as<T>(), logits.as<T>(),
                                               targets.as<int64_t>(), T(label_smoothing), N, V);
    }, [&](auto t) {
        using T = decltype(t);
        kernels::cuda::cross_entropy_forward<T>(loss.as<float>(), nll.as<float>(), lse.as<float>(), logits.as<T>(),
                                                targets.as<int64_t>(), float(label_smoothing), N, V,
                                                detail::stream_of(ctx));
    });
}

void cross_entropy_backward(const Context& ctx, const TensorView& dlogits, const TensorView& logits,
                            const TensorView& lse, const TensorView& targets,
                            double label_smoothing, double scale) {
    const int64_t N = logits.dim(0), V = logits.dim(1);
    detail::check_values(ctx, "cross_entropy_backward", logits.dtype,
                         {{dlogits, "dlogits", {N, V}}, {logits, "logits", {N, V}}});
    detail::check_values(ctx, "cross_entropy_backward", detail::stats_type(logits.dtype), {{lse, "lse", {N}}});
    detail::check_index(ctx, "cross_entropy_backward", {{targets, "targets", {N}}});
    detail::check_ids(ctx, "cross_entropy_backward", targets, "target", -1, V);
    detail::on_device(ctx, "cross_entropy_backward", logits.dtype, [&](auto t) {
        using T = decltype(t);
        kernels::cpu::cross_entropy_backward<T>(dlogits.as<T>(), logits.as<T>(), lse.as<T>(),
                                                targets.as<int64_t>(), T(label_smoothing), T(scale), N, V);
    }, [&](auto t) {
        using T = decltype(t);
        kernels::cuda::cross_entropy_backward<T>(dlogits.as<T>(), logits.as<T>(), lse.as<float>(),
                                                 targets.as<int64_t>(), float(label_smoothing), float(scale), N, V,
                                                 detail::stream_of(ctx));
    });
}

LossSums loss_sums(const Context& ctx, const TensorView& loss, const TensorView& nll) {
    const int64_t N = loss.numel();
    detail::check_values(ctx, "loss_sums", loss.dtype, {{loss, "loss", {N}}, {nll, "nll", {N}}});
    double sums[2] = {0, 0};
    detail::on_device(ctx, "loss_sums", loss.dtype, [&](auto t) {
        using T = decltype(t);
        kernels::cpu::loss_sums<T>(sums, loss.as<T>(), nll.as<T>(), N);
    }, [&](auto t) {
        using T = decltype(t);  // the CUDA losses are fp32 (stats_type)
        if constexpr (std::is_same_v<T, float>) {
            const size_t bytes = sizeof(double) * size_t(2 + kernels::cuda::loss_sums_scratch_doubles());
            auto* dev = static_cast<double*>(detail::workspace(ctx, "loss_sums", bytes));
            kernels::cuda::loss_sums(dev, loss.as<float>(), nll.as<float>(), N, dev + 2, detail::stream_of(ctx));
            cuda_copy_to_host(sums, dev, 2 * sizeof(double), detail::stream_of(ctx));
        } else {
            detail::unsupported_dtype("loss_sums", loss.dtype);
        }
    });
    return {sums[0], sums[1]};
}

}  // namespace deepnet::ops
