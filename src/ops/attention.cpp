// Attention ops: checks, then the CPU kernels or the CUDA branch.
#include "src/ops/attention.h"

#include "kernels/attention.h"
#include "kernels/cached_attention.h"
#include "src/ops/op_checks.h"

namespace deepnet::ops {

namespace {

kernels::cpu::AttentionDims dims_of(const TensorView& probs, const TensorView& q) {
    const int64_t B = probs.dim(0), H = probs.dim(1), C = q.dim(1);
    DEEPNET_CHECK(H > 0 && C % H == 0, "attention: " << C << " columns in " << H << " heads");
    return {B, probs.dim(2), probs.dim(3), H, C / H, C, C, C, C};
}

void check_attention(const Context& ctx, const char* op, const TensorView& probs,
                     const TensorView& q, const TensorView& k, const TensorView& v,
                     const TensorView& key_len) {
    DEEPNET_CHECK(probs.rank == 4, op << ": probs is " << describe(probs) << ", expected (B, H, Tq, Tk)");
    const int64_t B = probs.dim(0), Tq = probs.dim(2), Tk = probs.dim(3), C = q.dim(1);
    detail::check_values(ctx, op, q.dtype, {{q, "q", {B * Tq, C}}, {k, "k", {B * Tk, C}}, {v, "v", {B * Tk, C}}});
    detail::check_index(ctx, op, {{key_len, "key_len", {B}}});
}

}  // namespace

void attention_forward(const Context& ctx, const TensorView& out, const TensorView& probs,
                       const TensorView& q, const TensorView& k, const TensorView& v,
                       const TensorView& key_len, bool causal, double dropout_p,
                       uint64_t dropout_key) {
    check_attention(ctx, "attention_forward", probs, q, k, v, key_len);
    detail::check_values(ctx, "attention_forward", q.dtype,
                         {{out, "out", {q.dim(0), q.dim(1)}}, {probs, "probs", {-1, -1, -1, -1}}});
    detail::on_device(ctx, "attention_forward", q.dtype, [&](auto t) {
        using T = decltype(t);
        kernels::cpu::attention_forward<T>(out.as<T>(), probs.as<T>(), q.as<T>(), k.as<T>(), v.as<T>(),
                                           key_len.as<int64_t>(), causal, T(dropout_p), dropout_key,
                                           dims_of(probs, q));
    });
}

void attention_backward(const Context& ctx, const TensorView& dq, const TensorView& dk,
                        const TensorView& dv, const TensorView& dout, const TensorView& probs,
                        const TensorView& q, const TensorView& k, const TensorView& v,
                        const TensorView& key_len, bool causal, double dropout_p,
                        uint64_t dropout_key) {
    check_attention(ctx, "attention_backward", probs, q, k, v, key_len);
    detail::check_values(ctx, "attention_backward", q.dtype,
                         {{dq, "dq", {q.dim(0), q.dim(1)}}, {dk, "dk", {k.dim(0), k.dim(1)}},
                          {dv, "dv", {v.dim(0), v.dim(1)}}, {dout, "dout", {q.dim(0), q.dim(1)}},
                          {probs, "probs", {-1, -1, -1, -1}}});
    detail::on_device(ctx, "attention_backward", q.dtype, [&](auto t) {
        using T = decltype(t);
        kernels::cpu::attention_backward<T>(dq.as<T>(), dk.as<T>(), dv.as<T>(), dout.as<T>(),
                                            probs.as<T>(), q.as<T>(), k.as<T>(), v.as<T>(),
                                            key_len.as<int64_t>(), causal, T(dropout_p),
                                            dropout_key, dims_of(probs, q));
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
