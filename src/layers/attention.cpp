// Multi-head attention layer: projections through the linear op, the attention core in
// src/ops/attention (full, or over a key/value cache when decoding).
#include "src/layers/attention.h"

namespace deepnet {

AttentionSpec declare_attention(ParamLayout& layout, const std::string& prefix, int64_t C,
                                bool inner_ln) {
    AttentionSpec s;
    s.q = declare_linear(layout, prefix + ".q_proj", C, C);
    s.k = declare_linear(layout, prefix + ".k_proj", C, C);
    s.v = declare_linear(layout, prefix + ".v_proj", C, C);
    if (inner_ln) s.inner_ln = declare_norm(layout, prefix + ".inner_attn_ln", C);
    s.out = declare_linear(layout, prefix + ".out_proj", C, C);
    return s;
}

namespace {

// Projects this call's keys and values into the cache and attends over it: heads -> (N, C).
template <typename T>
void attend_cached(const Context& ctx, const Params<T>& p, const AttentionSpec& s,
                   const SublayerCfg& cfg, KvCache<T>& c, T* heads, const T* q, const T* xkv,
                   int64_t N, int64_t Nk) {
    const int64_t C = s.q.in;
    if (c.append) {
        c.k.resize(ctx.device, (c.step + 1) * N * C);
        c.v.resize(ctx.device, (c.step + 1) * N * C);
        linear_fwd(ctx, p, s.k, c.k.data() + c.step * N * C, xkv, N);
        linear_fwd(ctx, p, s.v, c.v.data() + c.step * N * C, xkv, N);
    } else if (!c.filled) {
        c.k.resize(ctx.device, Nk * C);
        c.v.resize(ctx.device, Nk * C);
        linear_fwd(ctx, p, s.k, c.k.data(), xkv, Nk);
        linear_fwd(ctx, p, s.v, c.v.data(), xkv, Nk);
        c.filled = true;
    }
    const int64_t cached = int64_t(c.k.size());
    ops::cached_attention_forward(ctx, tv(ctx, heads, {N, C}), tv(ctx, q, {N, C}),
                                  tv(ctx, c.k.data(), {cached}), tv(ctx, c.v.data(), {cached}),
                                  tv(ctx, c.kv_block, {N}), tv(ctx, c.key_len, {N}), cfg.heads,
                                  c.layout);
}

}  // namespace

template <typename T>
void attention_layer_forward(const Context& ctx, const Params<T>& p, const AttentionSpec& s,
                             const SublayerCfg& cfg, AttentionSaved<T>& sv, T* out, const T* xq,
                             const T* xkv, const SeqShape& qs, const SeqShape& ks, bool causal,
                             uint64_t dropout_key, double dropout_p, KvCache<T>* cache) {
    const int64_t C = s.q.in, Nq = qs.rows(), Nk = ks.rows();
    T* q = ensure(ctx, sv.q, Nq * C);
    T* heads = ensure(ctx, sv.ctx, Nq * C);
    linear_fwd(ctx, p, s.q, q, xq, Nq);
    if (cache) {
        DEEPNET_CHECK(dropout_p == 0, "attention over a cache is for inference (no dropout)");
        attend_cached(ctx, p, s, cfg, *cache, heads, q, xkv, Nq, Nk);
    } else {
        T* k = ensure(ctx, sv.k, Nk * C);
        T* v = ensure(ctx, sv.v, Nk * C);
        linear_fwd(ctx, p, s.k, k, xkv, Nk);
        linear_fwd(ctx, p, s.v, v, xkv, Nk);
        T* probs = ensure(ctx, sv.probs, qs.B * cfg.heads * qs.T * ks.T);
        ops::attention_forward(ctx, tv(ctx, heads, {Nq, C}), tv(ctx, probs, {qs.B, cfg.heads, qs.T, ks.T}),
                               tv(ctx, q, {Nq, C}), tv(ctx, k, {Nk, C}), tv(ctx, v, {Nk, C}),
                               tv(ctx, ks.len, {ks.B}), causal, dropout_p, dropout_key);
    }
    const T* proj_in = heads;
    if (s.has_inner_ln()) {
        T* ln = ensure(ctx, sv.ctx_ln, Nq * C);
        norm_fwd(ctx, p, s.inner_ln, ln, ensure(ctx, sv.ln_mean, Nq), ensure(ctx, sv.ln_rstd, Nq), heads,
                 static_cast<const T*>(nullptr), 1.0, cfg.eps, Nq);
        proj_in = ln;
    }
    linear_fwd(ctx, p, s.out, out, proj_in, Nq);
}

template <typename T>
void attention_layer_backward(const Context& ctx, Params<T>& p, const AttentionSpec& s,
                              const SublayerCfg& cfg, const AttentionSaved<T>& sv,
                              AttentionScratch<T>& ws, T* dxq, T* dxkv, const T* dout,
                              const T* xq, const T* xkv, const SeqShape& qs, const SeqShape& ks,
                              bool causal, uint64_t dropout_key, double dropout_p) {
    const int64_t C = s.q.in, Nq = qs.rows(), Nk = ks.rows();
    T* dheads = ensure(ctx, ws.dctx, Nq * C);
    if (s.has_inner_ln()) {
        T* dln = ensure(ctx, ws.dctx_ln, Nq * C);
        linear_bwd(ctx, p, s.out, dln, dout, sv.ctx_ln.data(), Nq);
        norm_bwd(ctx, p, s.inner_ln, dheads, static_cast<T*>(nullptr), dln, sv.ctx.data(),
                 static_cast<const T*>(nullptr), sv.ln_mean.data(), sv.ln_rstd.data(), 1.0, Nq);
    } else {
        linear_bwd(ctx, p, s.out, dheads, dout, sv.ctx.data(), Nq);
    }
    T* dq = ensure(ctx, ws.dq, Nq * C);
    T* dk = ensure(ctx, ws.dk, Nk * C);
    T* dv = ensure(ctx, ws.dv, Nk * C);
    ops::attention_backward(ctx, tv(ctx, dq, {Nq, C}), tv(ctx, dk, {Nk, C}), tv(ctx, dv, {Nk, C}),
                            tv(ctx, dheads, {Nq, C}), tv(ctx, sv.probs.data(), {qs.B, cfg.heads, qs.T, ks.T}),
                            tv(ctx, sv.q.data(), {Nq, C}), tv(ctx, sv.k.data(), {Nk, C}),
                            tv(ctx, sv.v.data(), {Nk, C}), tv(ctx, ks.len, {ks.B}), causal, dropout_p,
                            dropout_key);
    linear_bwd(ctx, p, s.q, dxq, dq, xq, Nq);
    linear_bwd(ctx, p, s.k, dxkv, dk, xkv, Nk, /*accumulate=*/true);
    linear_bwd(ctx, p, s.v, dxkv, dv, xkv, Nk, /*accumulate=*/true);
}

#define DEEPNET_INSTANTIATE(T)                                                                   \
    template void attention_layer_forward<T>(const Context&, const Params<T>&, const AttentionSpec&, \
                                             const SublayerCfg&, AttentionSaved<T>&, T*, const T*, \
                                             const T*, const SeqShape&, const SeqShape&, bool,     \
                                             uint64_t, double, KvCache<T>*);                       \
    template void attention_layer_backward<T>(const Context&, Params<T>&, const AttentionSpec&,  \
                                              const SublayerCfg&, const AttentionSaved<T>&,      \
                                              AttentionScratch<T>&, T*, T*, const T*, const T*,  \
                                              const T*, const SeqShape&, const SeqShape&, bool,  \
                                              uint64_t, double);
DEEPNET_INSTANTIATE(float)
DEEPNET_INSTANTIATE(double)
#undef DEEPNET_INSTANTIATE

}  // namespace deepnet
