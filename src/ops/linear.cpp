// Linear op: checks, then the CPU kernel (oneDNN/BLAS GEMMs) or the CUDA branch.
#include "src/ops/linear.h"

#include <array>
#include <type_traits>
#include <utility>

#include "kernels/activation.h"
#include "kernels/elementwise.h"
#include "kernels/gemm.h"
#include "kernels/linear.h"
#include "src/ops/op_checks.h"

namespace deepnet::ops {

namespace {
kernels::cpu::MatmulPrecision gemm_precision(const Context& ctx) {
    using kernels::cpu::MatmulPrecision;
    switch (ctx.precision.gemm) {
        case DType::BF16: return MatmulPrecision::BFloat16;
        case DType::F16: return MatmulPrecision::Float16;
        default: return MatmulPrecision::Float32;
    }
}

kernels::cuda::GemmHandle gemm_handle(const Context& ctx) {
    return {ctx.gemm, ctx.gemm_workspace.data, ctx.gemm_workspace.bytes};
}

// Float tensors with 16-bit GEMMs on CUDA (the CPU's `precision: [bfloat16|float16,
// float32]`): the operands are rounded (ties to even, as on the CPU) into the context's
// staging buffer, and cuBLASLt sums their exact products in fp32 into float outputs, so the
// two devices differ by summation order only. `floats` lists the operands and their sizes;
// the result holds their Half copies in that order, each 64-byte aligned (cuBLASLt's
// preference).
template <typename Half, size_t K>
std::array<Half*, K> half_operands(const Context& ctx, const char* op,
                                   const std::array<std::pair<const float*, int64_t>, K>& floats) {
    DEEPNET_CHECK(ctx.staging, op << ": 16-bit GEMMs on CUDA need the context's staging buffer");
    const auto aligned = [](int64_t n) { return (n * 2 + 63) / 64 * 64; };
    int64_t bytes = 0;
    for (const auto& f : floats) bytes += aligned(f.second);
    char* base = ctx.staging->ensure(ctx.device, bytes);
    std::array<Half*, K> out{};
    for (size_t i = 0; i < K; ++i) {
        out[i] = reinterpret_cast<Half*>(base);
        if constexpr (std::is_same_v<Half, kernels::f16>)
            kernels::cuda::to_f16(out[i], floats[i].first, floats[i].second, detail::stream_of(ctx));
        else
            kernels::cuda::to_bf16(out[i], floats[i].first, floats[i].second, detail::stream_of(ctx));
        base += aligned(floats[i].second);
    }
    return out;
}

// Calls f(Half()) when float tensors take 16-bit GEMMs; false (f not called) otherwise.
template <typename F>
bool with_half_gemm(const Context& ctx, DType storage, F&& f) {
    if (storage != DType::F32) return false;
    if (ctx.precision.gemm == DType::BF16) return f(kernels::bf16()), true;
    if (ctx.precision.gemm == DType::F16) return f(kernels::f16()), true;
    return false;
}
}  // namespace

void linear_forward(const Context& ctx, const TensorView& y, const TensorView& x,
                    const TensorView& w, const TensorView& b, bool relu) {
    const int64_t N = x.dim(0), I = x.dim(1), O = w.dim(0);
    detail::check_values(ctx, "linear_forward", x.dtype,
                         {{y, "y", {N, O}}, {x, "x", {N, I}}, {w, "w", {O, I}}, {b, "b", {O}, true}});
    detail::on_device(ctx, "linear_forward", x.dtype, [&](auto t) {
        using T = decltype(t);
        kernels::cpu::linear_forward<T>(y.as<T>(), x.as<T>(), w.as<T>(), b.as<T>(), N, I, O,
                                        gemm_precision(ctx));
        if (relu) kernels::cpu::activation_forward<T>(y.as<T>(), y.as<T>(), kernels::ActKind::ReLU, N * O);
    }, [&](auto t) {
        using T = decltype(t);
        using kernels::cuda::GemmEpilogue;
        const auto h = gemm_handle(ctx);
        // y (N, O) = x (N, I) w^T, the bias (and the ReLU) applied by cuBLASLt's epilogue.
        const bool fused = relu && !b.empty();
        const GemmEpilogue ep = b.empty() ? GemmEpilogue::None : fused ? GemmEpilogue::BiasRelu : GemmEpilogue::Bias;
        const bool half = with_half_gemm(ctx, x.dtype, [&](auto h16) {
            using Half = decltype(h16);
            const auto [x16, w16] = half_operands<Half, 2>(ctx, "linear_forward",
                                                           {{{x.as<float>(), N * I}, {w.as<float>(), O * I}}});
            kernels::cuda::gemm<Half, float>(h, false, true, N, O, I, 1.f, x16, I, w16, I, 0.f, y.as<float>(), O, ep,
                                             b.as<float>(), detail::stream_of(ctx));
        });
        if (!half)
            kernels::cuda::gemm<T, T>(h, false, true, N, O, I, 1.f, x.as<T>(), I, w.as<T>(), I, 0.f, y.as<T>(), O,
                                      ep, b.as<T>(), detail::stream_of(ctx));
        if (relu && !fused)
            kernels::cuda::activation_forward<T>(y.as<T>(), y.as<T>(), kernels::ActKind::ReLU, N * O,
                                                 detail::stream_of(ctx));
    });
}

void linear_backward(const Context& ctx, const TensorView& dx, const TensorView& dw,
                     const TensorView& db, const TensorView& dy, const TensorView& x,
                     const TensorView& w, bool accumulate_dx) {
    const int64_t N = x.dim(0), I = x.dim(1), O = w.dim(0);
    detail::check_values(ctx, "linear_backward", x.dtype,
                         {{dx, "dx", {N, I}}, {dw, "dw", {O, I}}, {db, "db", {O}, true},
                          {dy, "dy", {N, O}}, {x, "x", {N, I}}, {w, "w", {O, I}}});
    detail::on_device(ctx, "linear_backward", x.dtype, [&](auto t) {
        using T = decltype(t);
        kernels::cpu::linear_backward<T>(dx.as<T>(), dw.as<T>(), db.as<T>(), dy.as<T>(), x.as<T>(),
                                         w.as<T>(), N, I, O, accumulate_dx, gemm_precision(ctx));
    }, [&](auto t) {
        using T = decltype(t);
        const auto h = gemm_handle(ctx);
        const auto none = kernels::cuda::GemmEpilogue::None;
        const cudaStream_t s = detail::stream_of(ctx);
        const bool half = with_half_gemm(ctx, x.dtype, [&](auto h16) {  // dy rounded once, as on the CPU
            using Half = decltype(h16);
            const auto [dy16, w16, x16] = half_operands<Half, 3>(
                ctx, "linear_backward",
                {{{dy.as<float>(), N * O}, {w.as<float>(), dx.empty() ? 0 : O * I}, {x.as<float>(), N * I}}});
            if (!dx.empty())
                kernels::cuda::gemm<Half, float>(h, false, false, N, I, O, 1.f, dy16, O, w16, I,
                                                 accumulate_dx ? 1.f : 0.f, dx.as<float>(), I, none, nullptr, s);
            kernels::cuda::gemm<Half, float>(h, true, false, O, I, N, 1.f, dy16, O, x16, I, 1.f, dw.as<float>(), I,
                                             none, nullptr, s);
            if (!db.empty()) kernels::cuda::bias_grad_accumulate<float, float>(db.as<float>(), dy.as<float>(), N, O, s);
        });
        if (half) return;
        if (!dx.empty())  // dx (N, I) = dy (N, O) w (O, I)
            kernels::cuda::gemm<T, T>(h, false, false, N, I, O, 1.f, dy.as<T>(), O, w.as<T>(), I,
                                      accumulate_dx ? 1.f : 0.f, dx.as<T>(), I, none, nullptr, s);
        // dw (O, I) += dy^T (O, N) x (N, I)
        kernels::cuda::gemm<T, T>(h, true, false, O, I, N, 1.f, dy.as<T>(), O, x.as<T>(), I, 1.f, dw.as<T>(), I,
                                  none, nullptr, s);
        if (!db.empty()) kernels::cuda::bias_grad_accumulate<T, T>(db.as<T>(), dy.as<T>(), N, O, s);
    });
}

std::string bf16_gemm_unavailable_reason() { return kernels::cpu::bf16_matmul_unavailable_reason(); }
bool bf16_gemm_uses_amx() { return kernels::cpu::bf16_matmul_uses_amx(); }

}  // namespace deepnet::ops
