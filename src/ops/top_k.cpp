// Top-k op: checks, then the CPU kernel or the CUDA branch.
#include "src/ops/top_k.h"

#include "kernels/top_k.h"
#include "src/ops/op_checks.h"

namespace deepnet::ops {

void top_k_rows(const Context& ctx, const TensorView& scores, const TensorView& tokens,
                const TensorView& count, const TensorView& logp, const TensorView& base,
                const TensorView& banned, const TensorView& banned_last, const TensorView& last,
                int64_t insertion_max_k) {
    const char* op = "top_k_rows";
    const int64_t N = logp.dim(0), V = logp.dim(1), k = scores.dim(1);
    DEEPNET_CHECK(k >= 1, op << ": k = " << k);
    detail::check_values(ctx, op, logp.dtype, {{logp, "logp", {N, V}}});
    detail::check_values(ctx, op, DType::F64, {{scores, "scores", {N, k}}, {base, "base", {N}}});
    detail::check_index(ctx, op, {{tokens, "tokens", {N, k}}, {count, "count", {N}}, {banned, "banned", {V}},
                                  {banned_last, "banned_last", {V}}, {last, "last", {N}}});
    detail::on_device(ctx, op, logp.dtype, [&](auto t) {
        using T = decltype(t);
        kernels::cpu::top_k_rows<T>(scores.as<double>(), tokens.as<int64_t>(), count.as<int64_t>(), logp.as<T>(),
                                    base.as<double>(), banned.as<int64_t>(), banned_last.as<int64_t>(),
                                    last.as<int64_t>(), k, insertion_max_k, N, V);
    }, [&](auto t) {
        using T = decltype(t);  // always sorted best first: the CPU's order, or its set for large k
        kernels::cuda::top_k_rows<T>(scores.as<double>(), tokens.as<int64_t>(), count.as<int64_t>(), logp.as<T>(),
                                     base.as<double>(), banned.as<int64_t>(), banned_last.as<int64_t>(),
                                     last.as<int64_t>(), k, N, V, detail::stream_of(ctx));
    });
}

}  // namespace deepnet::ops
