// Top-k op: checks, then the CPU kernel or the CUDA branch.
#include "src/ops/top_k.h"

#include <limits>

#include "kernels/top_k.h"
#include "src/ops/op_checks.h"

namespace deepnet::ops {

int64_t top_k_limit(const Device& device) {
    return device.kind == DeviceKind::CUDA ? kernels::cuda::top_k_max_k : std::numeric_limits<int64_t>::max();
}

namespace {
void top_k(const Context& ctx, const char* op, bool logits, const TensorView& scores, const TensorView& tokens,
           const TensorView& count, const TensorView& rows, const TensorView& base, const TensorView& banned,
           const TensorView& banned_last, const TensorView& last, int64_t insertion_max_k) {
    const int64_t N = rows.dim(0), V = rows.dim(1), k = scores.dim(1);
    DEEPNET_CHECK(k >= 1, op << ": k = " << k);
    detail::check_values(ctx, op, rows.dtype, {{rows, logits ? "logits" : "logp", {N, V}}});
    detail::check_values(ctx, op, DType::F64, {{scores, "scores", {N, k}}, {base, "base", {N}}});
    detail::check_index(ctx, op, {{tokens, "tokens", {N, k}}, {count, "count", {N}}, {banned, "banned", {V}},
                                  {banned_last, "banned_last", {V}}, {last, "last", {N}}});
    detail::on_device(ctx, op, rows.dtype, [&](auto t) {
        using T = decltype(t);
        const auto f = logits ? kernels::cpu::top_k_rows_of_logits<T> : kernels::cpu::top_k_rows<T>;
        f(scores.as<double>(), tokens.as<int64_t>(), count.as<int64_t>(), rows.as<T>(), base.as<double>(),
          banned.as<int64_t>(), banned_last.as<int64_t>(), last.as<int64_t>(), k, insertion_max_k, N, V);
    }, [&](auto t) {
        using T = decltype(t);  // always sorted best first: the CPU's order, or its set for large k
        const auto f = logits ? kernels::cuda::top_k_rows_of_logits<T> : kernels::cuda::top_k_rows<T>;
        f(scores.as<double>(), tokens.as<int64_t>(), count.as<int64_t>(), rows.as<T>(), base.as<double>(),
          banned.as<int64_t>(), banned_last.as<int64_t>(), last.as<int64_t>(), k, N, V, detail::stream_of(ctx));
    });
}
}  // namespace

void top_k_rows(const Context& ctx, const TensorView& scores, const TensorView& tokens,
                const TensorView& count, const TensorView& logp, const TensorView& base,
                const TensorView& banned, const TensorView& banned_last, const TensorView& last,
                int64_t insertion_max_k) {
    top_k(ctx, "top_k_rows", false, scores, tokens, count, logp, base, banned, banned_last, last, insertion_max_k);
}

void log_softmax_top_k_rows(const Context& ctx, const TensorView& scores, const TensorView& tokens,
                            const TensorView& count, const TensorView& logits, const TensorView& base,
                            const TensorView& banned, const TensorView& banned_last, const TensorView& last,
                            int64_t insertion_max_k) {
    top_k(ctx, "log_softmax_top_k_rows", true, scores, tokens, count, logits, base, banned, banned_last, last,
          insertion_max_k);
}

}  // namespace deepnet::ops
