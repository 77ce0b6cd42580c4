// Element-wise ops: checks, then the CPU kernels or the CUDA branch.
#include "src/ops/elementwise.h"

#include "kernels/elementwise.h"
#include "src/ops/op_checks.h"

namespace deepnet::ops {

void add(const Context& ctx, const TensorView& y, const TensorView& a, const TensorView& b) {
    const int64_t n = a.numel();
    detail::check_values(ctx, "add", a.dtype, {{y, "y", {n}}, {a, "a", {n}}, {b, "b", {n}}});
    detail::on_device(ctx, "add", a.dtype, [&](auto t) {
        using T = decltype(t);
        kernels::cpu::add<T>(y.as<T>(), a.as<T>(), b.as<T>(), n);
    }, [&](auto t) {
        using T = decltype(t);
        kernels::cuda::add<T>(y.as<T>(), a.as<T>(), b.as<T>(), n, detail::stream_of(ctx));
    });
}

void copy(const Context& ctx, const TensorView& y, const TensorView& x) {
    const int64_t n = x.numel();
    detail::check_values(ctx, "copy", x.dtype, {{y, "y", {n}}, {x, "x", {n}}});
    detail::on_device(ctx, "copy", x.dtype, [&](auto t) {
        using T = decltype(t);
        kernels::cpu::copy<T>(y.as<T>(), x.as<T>(), n);
    }, [&](auto t) {
        using T = decltype(t);
        kernels::cuda::copy<T>(y.as<T>(), x.as<T>(), n, detail::stream_of(ctx));
    });
}

void fill(const Context& ctx, const TensorView& y, double value) {
    detail::check_values(ctx, "fill", y.dtype, {{y, "y", {y.numel()}}});
    detail::on_device(ctx, "fill", y.dtype, [&](auto t) {
        using T = decltype(t);
        kernels::cpu::fill<T>(y.as<T>(), T(value), y.numel());
    }, [&](auto t) {
        using T = decltype(t);
        kernels::cuda::fill<T>(y.as<T>(), float(value), y.numel(), detail::stream_of(ctx));
    });
}

void accumulate(const Context& ctx, const TensorView& y, const TensorView& x) {
    const int64_t n = x.numel();
    detail::check_values(ctx, "accumulate", x.dtype, {{y, "y", {n}}, {x, "x", {n}}});
    detail::on_device(ctx, "accumulate", x.dtype, [&](auto t) {
        using T = decltype(t);
        kernels::cpu::accumulate<T>(y.as<T>(), x.as<T>(), n);
    }, [&](auto t) {
        using T = decltype(t);
        kernels::cuda::accumulate<T>(y.as<T>(), x.as<T>(), n, detail::stream_of(ctx));
    });
}

void axpby(const Context& ctx, const TensorView& y, const TensorView& x, double a, double b) {
    const int64_t n = x.numel();
    detail::check_values(ctx, "axpby", x.dtype, {{y, "y", {n}}, {x, "x", {n}}});
    detail::on_device(ctx, "axpby", x.dtype, [&](auto t) {
        using T = decltype(t);
        kernels::cpu::axpby<T>(y.as<T>(), x.as<T>(), T(a), T(b), n);
    }, [&](auto t) {
        using T = decltype(t);
        kernels::cuda::axpby<T>(y.as<T>(), x.as<T>(), float(a), float(b), n, detail::stream_of(ctx));
    });
}

void gather_rows(const Context& ctx, const TensorView& y, const TensorView& x, const TensorView& rows) {
    const int64_t blocks = x.dim(0), N = x.dim(1), C = x.dim(2), M = rows.numel();
    detail::check_values(ctx, "gather_rows", x.dtype, {{y, "y", {blocks, M, C}}, {x, "x", {blocks, N, C}}});
    detail::check_index(ctx, "gather_rows", {{rows, "rows", {M}}});
    detail::check_ids(ctx, "gather_rows", rows, "row", 0, N);
    detail::on_device(ctx, "gather_rows", x.dtype, [&](auto t) {
        using T = decltype(t);
        kernels::cpu::gather_rows<T>(y.as<T>(), x.as<T>(), rows.as<int64_t>(), blocks, M, N, C);
    }, [&](auto t) {
        using T = decltype(t);
        kernels::cuda::gather_rows<T>(y.as<T>(), x.as<T>(), rows.as<int64_t>(), blocks, M, N, C,
                                      detail::stream_of(ctx));
    });
}

}  // namespace deepnet::ops
