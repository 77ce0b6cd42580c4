// Log-softmax ops: checks, then the CPU kernels or the CUDA branch.
#include "src/ops/log_softmax.h"

#include <limits>

#include "kernels/log_softmax.h"
#include "src/ops/op_checks.h"

namespace deepnet::ops {

void log_softmax_forward(const Context& ctx, const TensorView& x) {
    detail::check_values(ctx, "log_softmax_forward", x.dtype, {{x, "x", {-1, -1}}});
    detail::on_device(ctx, "log_softmax_forward", x.dtype, [&](auto t) {
        using T = decltype(t);
        kernels::cpu::log_softmax_forward<T>(x.as<T>(), x.dim(0), x.dim(1));
    }, [&](auto t) {
        using T = decltype(t);
        kernels::cuda::log_softmax_forward<T>(x.as<T>(), x.dim(0), x.dim(1), detail::stream_of(ctx));
    });
}

void target_log_probs(const Context& ctx, const TensorView& out, const TensorView& logits,
                      const TensorView& targets) {
    const int64_t N = logits.dim(0), V = logits.dim(1);
    detail::check_values(ctx, "target_log_probs", logits.dtype, {{logits, "logits", {N, V}}});
    detail::check_values(ctx, "target_log_probs", DType::F64, {{out, "out", {N}}});
    detail::check_index(ctx, "target_log_probs", {{targets, "targets", {N}}});
    // Any negative target marks an ignored row.
    detail::check_ids(ctx, "target_log_probs", targets, "target", std::numeric_limits<int64_t>::min(), V);
    detail::on_device(ctx, "target_log_probs", logits.dtype, [&](auto t) {
        using T = decltype(t);
        kernels::cpu::target_log_probs<T>(out.as<double>(), logits.as<T>(), targets.as<int64_t>(), N, V);
    }, [&](auto t) {
        using T = decltype(t);
        kernels::cuda::target_log_probs<T>(out.as<double>(), logits.as<T>(), targets.as<int64_t>(), N, V,
                                           detail::stream_of(ctx));
    });
}

}  // namespace deepnet::ops
