// Multi-head attention layer (self or cross), fairseq parameter names:
//   <prefix>.{q,k,v,out}_proj.{weight,bias}  (C, C) / (C)
//   <prefix>.inner_attn_ln.{weight,bias}     (C), Sub-LN only: LN before out_proj (Magneto)
// Forward:  q = xq Wq^T + bq, k = xkv Wk^T + bk, v = xkv Wv^T + bv
//           ctx = attention(q, k, v) (dropout on probabilities), [ctx = LN(ctx)], out = ctx Wo^T + bo
// Shapes: xq, out: (B*Tq, C);  xkv: (B*Tk, C);  probs: (B, H, Tq, Tk).
#pragma once

#include "src/layers/layer_common.h"

namespace deepnet {

struct AttentionSpec {
    LinearSpec q, k, v, out;
    NormSpec inner_ln;  // gamma = -1 when absent
    bool has_inner_ln() const { return inner_ln.gamma >= 0; }
};

AttentionSpec declare_attention(ParamLayout& layout, const std::string& prefix, int64_t C,
                                bool inner_ln);

template <typename T>
struct AttentionSaved {
    Buf<T> q, k, v;   // (B*Tq, C), (B*Tk, C), (B*Tk, C)
    Buf<T> probs;     // (B, H, Tq, Tk)
    Buf<T> ctx;       // (B*Tq, C) attention output before out_proj (before inner LN)
    Buf<T> ctx_ln, ln_mean, ln_rstd;  // Sub-LN only
};

template <typename T>
struct AttentionScratch {
    Buf<T> dq, dk, dv, dctx, dctx_ln;
};

template <typename T>
void attention_layer_forward(const Params<T>& p, const AttentionSpec& s, const SublayerCfg& cfg,
                             AttentionSaved<T>& sv, T* out, const T* xq, const T* xkv,
                             const SeqShape& qs, const SeqShape& ks, bool causal,
                             uint64_t dropout_key, double dropout_p);

// Self-attention (xkv == xq): pass dxkv == dxq; every projection's input gradient goes to dxq
// (= from q, += from k and v). Cross-attention: dxq = from q; dxkv += from k and v, so the
// encoder-output gradient accumulates across decoder layers.
template <typename T>
void attention_layer_backward(Params<T>& p, const AttentionSpec& s, const SublayerCfg& cfg,
                              const AttentionSaved<T>& sv, AttentionScratch<T>& ws, T* dxq,
                              T* dxkv, const T* dout, const T* xq, const T* xkv,
                              const SeqShape& qs, const SeqShape& ks, bool causal,
                              uint64_t dropout_key, double dropout_p);

}  // namespace deepnet
