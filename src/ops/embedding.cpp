// Embedding op: checks, then the CPU kernel or the CUDA branch.
#include "src/ops/embedding.h"

#include <type_traits>
#include <vector>

#include "kernels/embedding.h"
#include "src/core/device_memory.h"
#include "src/ops/op_checks.h"

namespace deepnet::ops {

void sinusoid_table(const Context& ctx, const TensorView& pos_table) {
    detail::check_values(ctx, "sinusoid_table", pos_table.dtype, {{pos_table, "pos_table", {-1, -1}}});
    detail::on_device(ctx, "sinusoid_table", pos_table.dtype, [&](auto t) {
        using T = decltype(t);
        kernels::cpu::sinusoid_table<T>(pos_table.as<T>(), pos_table.dim(0), pos_table.dim(1));
    }, [&](auto t) {  // computed once per model on the host (as the CPU does), then copied
        using T = decltype(t);
        std::vector<float> host(static_cast<size_t>(pos_table.numel()));
        kernels::cpu::sinusoid_table<float>(host.data(), pos_table.dim(0), pos_table.dim(1));
        std::vector<T> stored(host.size());
        for (size_t i = 0; i < host.size(); ++i) {
            if constexpr (std::is_same_v<T, float>) stored[i] = host[i];
            else stored[i] = kernels::float_to_bf16(host[i]);
        }
        device_copy(ctx.device, pos_table.as<T>(), Device{}, stored.data(), stored.size() * sizeof(T));
    });
}

void embedding_forward(const Context& ctx, const TensorView& y, const TensorView& tokens,
                       const TensorView& positions, const TensorView& table,
                       const TensorView& pos_table, double scale) {
    const int64_t N = tokens.numel(), C = table.dim(1);
    detail::check_values(ctx, "embedding_forward", table.dtype,
                         {{y, "y", {N, C}}, {table, "table", {-1, C}}, {pos_table, "pos_table", {-1, C}}});
    detail::check_index(ctx, "embedding_forward", {{tokens, "tokens", {N}}, {positions, "positions", {N}}});
    detail::check_ids(ctx, "embedding_forward", tokens, "token", 0, table.dim(0));
    detail::check_ids(ctx, "embedding_forward", positions, "position", 0, pos_table.dim(0));
    detail::on_device(ctx, "embedding_forward", table.dtype, [&](auto t) {
        using T = decltype(t);
        kernels::cpu::embedding_forward<T>(y.as<T>(), tokens.as<int64_t>(), positions.as<int64_t>(),
                                           table.as<T>(), pos_table.as<T>(), T(scale), N, C);
    }, [&](auto t) {
        using T = decltype(t);
        kernels::cuda::embedding_forward<T>(y.as<T>(), tokens.as<int64_t>(), positions.as<int64_t>(), table.as<T>(),
                                            pos_table.as<T>(), float(scale), N, C, detail::stream_of(ctx));
    });
}

void embedding_backward(const Context& ctx, const TensorView& dtable, const TensorView& dy,
                        const TensorView& tokens, double scale, int64_t skip_token) {
    const int64_t N = tokens.numel(), C = dtable.dim(1), V = dtable.dim(0);
    const bool cuda = ctx.device.kind == DeviceKind::CUDA;  // CUDA: f32 gradients of any table
    detail::check_values(ctx, "embedding_backward", dy.dtype, {{dy, "dy", {N, C}}});
    detail::check_values(ctx, "embedding_backward", cuda ? DType::F32 : dy.dtype, {{dtable, "dtable", {V, C}}});
    detail::check_index(ctx, "embedding_backward", {{tokens, "tokens", {N}}});
    detail::check_ids(ctx, "embedding_backward", tokens, "token", 0, dtable.dim(0));
    detail::on_device(ctx, "embedding_backward", dy.dtype, [&](auto t) {
        using T = decltype(t);
        kernels::cpu::embedding_backward<T>(dtable.as<T>(), dy.as<T>(), tokens.as<int64_t>(), T(scale),
                                            skip_token, N, C);
    }, [&](auto t) {
        using T = decltype(t);
        const size_t bytes = kernels::cuda::embedding_backward_scratch_bytes(N, V);
        void* scratch = detail::workspace(ctx, "embedding_backward", bytes);
        kernels::cuda::embedding_backward<T>(dtable.as<float>(), dy.as<T>(), tokens.as<int64_t>(), float(scale),
                                             skip_token, N, C, V, scratch, bytes, detail::stream_of(ctx));
    });
}

}  // namespace deepnet::ops
