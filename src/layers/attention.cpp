// Multi-head attention layer: projections through the linear kernels, the attention core in
// kernels/attention.
#include "src/layers/attention.h"

#include "kernels/attention.h"

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
kernels::cpu::AttentionDims dims(const SeqShape& qs, const SeqShape& ks, int64_t H, int64_t C) {
    return {qs.B, qs.T, ks.T, H, C / H, C, C, C, C};
}
}  // namespace

template <typename T>
void attention_layer_forward(const Params<T>& p, const AttentionSpec& s, const SublayerCfg& cfg,
                             AttentionSaved<T>& sv, T* out, const T* xq, const T* xkv,
                             const SeqShape& qs, const SeqShape& ks, bool causal,
                             uint64_t dropout_key, double dropout_p) {
    const int64_t C = s.q.in, Nq = qs.rows(), Nk = ks.rows();
    T* q = ensure(sv.q, Nq * C);
    T* k = ensure(sv.k, Nk * C);
    T* v = ensure(sv.v, Nk * C);
    linear_fwd(p, s.q, q, xq, Nq);
    linear_fwd(p, s.k, k, xkv, Nk);
    linear_fwd(p, s.v, v, xkv, Nk);
    T* probs = ensure(sv.probs, qs.B * cfg.heads * qs.T * ks.T);
    T* ctx = ensure(sv.ctx, Nq * C);
    kernels::cpu::attention_forward<T>(ctx, probs, q, k, v, ks.len, causal, T(dropout_p),
                                       dropout_key, dims(qs, ks, cfg.heads, C));
    const T* proj_in = ctx;
    if (s.has_inner_ln()) {
        T* ln = ensure(sv.ctx_ln, Nq * C);
        norm_fwd(p, s.inner_ln, ln, ensure(sv.ln_mean, Nq), ensure(sv.ln_rstd, Nq), ctx,
                 static_cast<const T*>(nullptr), 1.0, cfg.eps, Nq);
        proj_in = ln;
    }
    linear_fwd(p, s.out, out, proj_in, Nq);
}

template <typename T>
void attention_layer_backward(Params<T>& p, const AttentionSpec& s, const SublayerCfg& cfg,
                              const AttentionSaved<T>& sv, AttentionScratch<T>& ws, T* dxq,
                              T* dxkv, const T* dout, const T* xq, const T* xkv,
                              const SeqShape& qs, const SeqShape& ks, bool causal,
                              uint64_t dropout_key, double dropout_p) {
    const int64_t C = s.q.in, Nq = qs.rows(), Nk = ks.rows();
    T* dctx = ensure(ws.dctx, Nq * C);
    if (s.has_inner_ln()) {
        T* dln = ensure(ws.dctx_ln, Nq * C);
        linear_bwd(p, s.out, dln, dout, sv.ctx_ln.data(), Nq);
        norm_bwd(p, s.inner_ln, dctx, static_cast<T*>(nullptr), dln, sv.ctx.data(),
                 static_cast<const T*>(nullptr), sv.ln_mean.data(), sv.ln_rstd.data(), 1.0, Nq);
    } else {
        linear_bwd(p, s.out, dctx, dout, sv.ctx.data(), Nq);
    }
    T* dq = ensure(ws.dq, Nq * C);
    T* dk = ensure(ws.dk, Nk * C);
    T* dv = ensure(ws.dv, Nk * C);
    kernels::cpu::attention_backward<T>(dq, dk, dv, dctx, sv.probs.data(), sv.q.data(),
                                        sv.k.data(), sv.v.data(), ks.len, causal, T(dropout_p),
                                        dropout_key, dims(qs, ks, cfg.heads, C));
    linear_bwd(p, s.q, dxq, dq, xq, Nq);
    linear_bwd(p, s.k, dxkv, dk, xkv, Nk, /*accumulate=*/true);
    linear_bwd(p, s.v, dxkv, dv, xkv, Nk, /*accumulate=*/true);
}

#define DEEPNET_INSTANTIATE(T)                                                                 \
    template void attention_layer_forward<T>(const Params<T>&, const AttentionSpec&,           \
                                             const SublayerCfg&, AttentionSaved<T>&, T*,       \
                                             const T*, const T*, const SeqShape&,              \
                                             const SeqShape&, bool, uint64_t, double);         \
    template void attention_layer_backward<T>(Params<T>&, const AttentionSpec&,                \
                                              const SublayerCfg&, const AttentionSaved<T>&,    \
                                              AttentionScratch<T>&, T*, T*, const T*,          \
                                              const T*, const T*, const SeqShape&,             \
                                              const SeqShape&, bool, uint64_t, double);
DEEPNET_INSTANTIATE(float)
DEEPNET_INSTANTIATE(double)
#undef DEEPNET_INSTANTIATE

}  // namespace deepnet
