// Linear op: checks, then the CPU kernel (oneDNN/BLAS GEMMs) or the CUDA branch.
#include "src/ops/linear.h"

#include "kernels/activation.h"
#include "kernels/gemm.h"
#include "kernels/linear.h"
#include "src/ops/op_checks.h"

namespace deepnet::ops {

namespace {
kernels::cpu::MatmulPrecision gemm_precision(const Context& ctx) {
    return ctx.precision.gemm == DType::BF16 ? kernels::cpu::MatmulPrecision::BFloat16
                                             : kernels::cpu::MatmulPrecision::Float32;
}

// On CUDA the GEMM precision is the storage type's: bf16 GEMMs read bf16 tensors.
kernels::cuda::GemmHandle gemm_handle(const Context& ctx, const char* op, DType storage) {
    if (ctx.precision.gemm == DType::BF16 && storage != DType::BF16)
        throw UserError(std::string(op) + ": bfloat16 GEMMs on CUDA need bfloat16 tensors (got " +
                        dtype_name(storage) + ")");
    return {ctx.gemm, ctx.gemm_workspace.data, ctx.gemm_workspace.bytes};
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
        const auto h = gemm_handle(ctx, "linear_forward", x.dtype);
        // y (N, O) = x (N, I) w^T, the bias (and the ReLU) applied by cuBLASLt's epilogue.
        const bool fused = relu && !b.empty();
        const GemmEpilogue ep = b.empty() ? GemmEpilogue::None : fused ? GemmEpilogue::BiasRelu : GemmEpilogue::Bias;
        kernels::cuda::gemm<T, T>(h, false, true, N, O, I, 1.f, x.as<T>(), I, w.as<T>(), I, 0.f, y.as<T>(), O, ep,
                                  b.as<T>(), detail::stream_of(ctx));
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
        const auto h = gemm_handle(ctx, "linear_backward", x.dtype);
        const auto none = kernels::cuda::GemmEpilogue::None;
        const cudaStream_t s = detail::stream_of(ctx);
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
