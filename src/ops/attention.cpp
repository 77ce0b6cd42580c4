// Attention ops: checks, then the CPU kernels or the CUDA branch.
#include "src/ops/attention.h"

#include "kernels/attention.h"
#include "kernels/cached_attention.h"
#include "src/ops/op_checks.h"

namespace deepnet::ops {

namespace {

bool on_cpu(const Context& ctx) { return ctx.device.kind == DeviceKind::CPU; }

// The sizes of a call, read from saved ((B, H, Tq, Tk) or (B, H, Tq)), k and q; then every
// tensor is checked against them.
kernels::cpu::AttentionDims check_attention(const Context& ctx, const char* op, const TensorView& saved,
                                            const TensorView& q, const TensorView& k, const TensorView& v,
                                            const TensorView& key_len) {
    const int rank = on_cpu(ctx) ? 4 : 3;
    DEEPNET_CHECK(saved.rank == rank, op << ": saved is " << describe(saved) << ", expected "
                                         << (on_cpu(ctx) ? "probs (B, H, Tq, Tk)" : "lse (B, H, Tq)"));
    DEEPNET_CHECK(q.rank == 2 && k.rank == 2, op << ": q is " << describe(q) << " and k " << describe(k)
                                                 << ", expected (rows, C)");
    const int64_t B = saved.dim(0), H = saved.dim(1), Tq = saved.dim(2), C = q.dim(1);
    const int64_t Tk = on_cpu(ctx) ? saved.dim(3) : (B > 0 ? k.dim(0) / B : 0);
    DEEPNET_CHECK(H > 0 && C % H == 0, op << ": " << C << " columns in " << H << " heads");
    detail::check_values(ctx, op, q.dtype, {{q, "q", {B * Tq, C}}, {k, "k", {B * Tk, C}}, {v, "v", {B * Tk, C}}});
    const DType sd = attention_saved_dtype(ctx, q.dtype);
    if (on_cpu(ctx))
        detail::check_values(ctx, op, sd, {{saved, "saved (probs)", {B, H, Tq, Tk}}});
    else
        detail::check_values(ctx, op, sd, {{saved, "saved (lse)", {B, H, Tq}}});
    detail::check_index(ctx, op, {{key_len, "key_len", {B}}});
    return {B, Tq, Tk, H, C / H, C, C, C, C};
}

}  // namespace

std::vector<int64_t> attention_saved_shape(const Context& ctx, int64_t B, int64_t H, int64_t Tq, int64_t Tk) {
    if (on_cpu(ctx)) return {B, H, Tq, Tk};
    return {B, H, Tq};
}

DType attention_saved_dtype(const Context& ctx, DType values) { return on_cpu(ctx) ? values : DType::F32; }

TensorView attention_saved_view(const Context& ctx, void* data, DType values, int64_t B, int64_t H,
                                int64_t Tq, int64_t Tk) {
    TensorView t;
    t.data = data;
    t.dtype = attention_saved_dtype(ctx, values);
    t.device = ctx.device;
    for (int64_t d : attention_saved_shape(ctx, B, H, Tq, Tk)) {
        DEEPNET_CHECK(d >= 0, "attention_saved_view: a negative dimension " << d);
        t.dims[t.rank++] = d;
    }
    return t;
}

void attention_forward(const Context& ctx, const TensorView& out, const TensorView& saved,
                       const TensorView& q, const TensorView& k, const TensorView& v,
                       const TensorView& key_len, bool causal, double dropout_p,
                       uint64_t dropout_key) {
    const char* op = "attention_forward";
    const auto d = check_attention(ctx, op, saved, q, k, v, key_len);
    detail::check_values(ctx, op, q.dtype, {{out, "out", {q.dim(0), q.dim(1)}}});
    detail::on_device(ctx, op, q.dtype, [&](auto t) {
        using T = decltype(t);
        kernels::cpu::attention_forward<T>(out.as<T>(), saved.as<T>(), q.as<T>(), k.as<T>(), v.as<T>(),
                                           key_len.as<int64_t>(), causal, T(dropout_p), dropout_key, d);
    }, [&](auto t) {
        using T = decltype(t);
        kernels::cuda::attention_forward<T>(out.as<T>(), saved.as<float>(), q.as<T>(), k.as<T>(), v.as<T>(),
                                            key_len.as<int64_t>(), causal, float(dropout_p), dropout_key, d,
                                            detail::stream_of(ctx));
    });
}

void attention_backward(const Context& ctx, const TensorView& dq, const TensorView& dk,
                        const TensorView& dv, const TensorView& dout, const TensorView& saved,
                        const TensorView& out, const TensorView& q, const TensorView& k,
                        const TensorView& v, const TensorView& key_len, bool causal,
                        double dropout_p, uint64_t dropout_key) {
    const char* op = "attention_backward";
    const auto d = check_attention(ctx, op, saved, q, k, v, key_len);
    detail::check_values(ctx, op, q.dtype,
                         {{dq, "dq", {q.dim(0), q.dim(1)}}, {dk, "dk", {k.dim(0), k.dim(1)}},
                          {dv, "dv", {v.dim(0), v.dim(1)}}, {dout, "dout", {q.dim(0), q.dim(1)}},
                          {out, "out", {q.dim(0), q.dim(1)}, /*optional=*/on_cpu(ctx)}});
    detail::on_device(ctx, op, q.dtype, [&](auto t) {
        using T = decltype(t);
        kernels::cpu::attention_backward<T>(dq.as<T>(), dk.as<T>(), dv.as<T>(), dout.as<T>(), saved.as<T>(),
                                            q.as<T>(), k.as<T>(), v.as<T>(), key_len.as<int64_t>(), causal,
                                            T(dropout_p), dropout_key, d);
    }, [&](auto t) {
        using T = decltype(t);
        const int64_t floats = kernels::cuda::attention_backward_scratch_floats(d);
        auto* scratch = static_cast<float*>(detail::workspace(ctx, op, size_t(floats) * sizeof(float)));
        kernels::cuda::attention_backward<T>(dq.as<T>(), dk.as<T>(), dv.as<T>(), dout.as<T>(), saved.as<float>(),
                                             out.as<T>(), q.as<T>(), k.as<T>(), v.as<T>(), key_len.as<int64_t>(),
                                             causal, float(dropout_p), dropout_key, d, scratch,
                                             detail::stream_of(ctx));
    });
}

void cached_attention_forward(const Context& ctx, const TensorView& out, const TensorView& q,
                              const TensorView& k, const TensorView& v, const TensorView& kv_block,
                              const TensorView& key_len, int64_t heads, const CacheLayout& layout) {
    const char* op = "cached_attention_forward";
    const int64_t N = q.dim(0), C = q.dim(1);
    DEEPNET_CHECK(heads > 0 && C % heads == 0, op << ": " << C << " columns in " << heads << " heads");
    detail::check_values(ctx, op, q.dtype, {{out, "out", {N, C}}, {q, "q", {N, C}},
                                            {k, "k", {k.numel()}}, {v, "v", {k.numel()}}});
    detail::check_index(ctx, op, {{kv_block, "kv_block", {N}}, {key_len, "key_len", {N}}});
    if (ctx.device.kind == DeviceKind::CPU) {
        const int64_t* blk = kv_block.as<int64_t>();
        const int64_t* len = key_len.as<int64_t>();
        for (int64_t n = 0; n < N; ++n) {
            int64_t a = 0, b = 0, last = 0;
            const bool fits = len[n] >= 1 && blk[n] >= 0 && layout.block_stride >= 0 && layout.key_stride >= 0 &&
                              !__builtin_mul_overflow(blk[n], layout.block_stride, &a) &&
                              !__builtin_mul_overflow(len[n] - 1, layout.key_stride, &b) &&
                              !__builtin_add_overflow(a, b, &last) && !__builtin_add_overflow(last, C, &last) &&
                              last <= k.numel();
            DEEPNET_CHECK(fits, op << ": query " << n << " reads past the " << k.numel() << "-element cache");
        }
    }
    detail::on_device(ctx, op, q.dtype, [&](auto t) {
        using T = decltype(t);
        kernels::cpu::cached_attention_forward<T>(
            out.as<T>(), q.as<T>(), k.as<T>(), v.as<T>(), kv_block.as<int64_t>(), key_len.as<int64_t>(),
            {N, heads, C / heads, C, C, layout.block_stride, layout.key_stride});
    }, [&](auto t) {
        using T = decltype(t);
        kernels::cuda::cached_attention_forward<T>(
            out.as<T>(), q.as<T>(), k.as<T>(), v.as<T>(), kv_block.as<int64_t>(), key_len.as<int64_t>(),
            {N, heads, C / heads, C, C, layout.block_stride, layout.key_stride}, detail::stream_of(ctx));
    });
}

}  // namespace deepnet::ops
