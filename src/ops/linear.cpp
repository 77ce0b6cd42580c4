// Linear op: checks, then the CPU kernel (oneDNN/BLAS GEMMs) or the CUDA branch.
#include "src/ops/linear.h"

#include "kernels/linear.h"
#include "src/ops/op_checks.h"

namespace deepnet::ops {

namespace {
kernels::cpu::MatmulPrecision gemm_precision(const Context& ctx) {
    return ctx.precision.gemm == DType::BF16 ? kernels::cpu::MatmulPrecision::BFloat16
                                             : kernels::cpu::MatmulPrecision::Float32;
}
}  // namespace

void linear_forward(const Context& ctx, const TensorView& y, const TensorView& x,
                    const TensorView& w, const TensorView& b) {
    const int64_t N = x.dim(0), I = x.dim(1), O = w.dim(0);
    detail::check_values(ctx, "linear_forward", x.dtype,
                         {{y, "y", {N, O}}, {x, "x", {N, I}}, {w, "w", {O, I}}, {b, "b", {O}, true}});
    detail::on_device(ctx, "linear_forward", x.dtype, [&](auto t) {
        using T = decltype(t);
        kernels::cpu::linear_forward<T>(y.as<T>(), x.as<T>(), w.as<T>(), b.as<T>(), N, I, O,
                                        gemm_precision(ctx));
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
    });
}

std::string bf16_gemm_unavailable_reason() { return kernels::cpu::bf16_matmul_unavailable_reason(); }
bool bf16_gemm_uses_amx() { return kernels::cpu::bf16_matmul_uses_amx(); }

}  // namespace deepnet::ops
