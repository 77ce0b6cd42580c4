// Multi-head attention layer (self or cross), fairseq parameter names:
//   <prefix>.{q,k,v,out}_proj.{weight,bias}  (C, C) / (C)
//   <prefix>.inner_attn_ln.{weight,bias}     (C), Sub-LN only: LN before out_proj (Magneto)
// Forward:  q = xq Wq^T + bq, k = xkv Wk^T + bk, v = xkv Wv^T + bv
//           ctx = attention(q, k, v) (dropout on probabilities), [ctx = LN(ctx)], out = ctx Wo^T + bo
// Shapes: xq, out: (B*Tq, C);  xkv: (B*Tk, C);  probs: (B, H, Tq, Tk).
// The same layer serves training, validation and incremental decoding: given a KvCache, it
// attends over cached keys and values (no probabilities kept, no backward) instead.
#pragma once

#include "src/layers/layer_common.h"
#include "src/ops/attention.h"

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
    Buf<T> probs;     // what the attention op saves: probs (B, H, Tq, Tk) on the CPU (ops::attention_saved_shape)
    Buf<T> ctx;       // (B*Tq, C) attention output before out_proj (before inner LN)
    Buf<T> ctx_ln, ln_mean, ln_rstd;  // Sub-LN only
};

template <typename T>
struct AttentionScratch {
    Buf<T> dq, dk, dv, dctx, dctx_ln;
};

// Keys and values of one attention layer kept across the steps of incremental decoding,
// for N query rows (one per hypothesis) each step.
//   self-attention (append): each call projects the N rows of xkv (= xq) into slot `step`
//     of the time-major cache (steps, N, C) and attends over slots 0..step (row n's keys
//     at n, N + n, ...): kv_block[n] = n, block_stride = C, key_stride = N * C.
//   cross-attention: the first call after reset() projects xkv (the encoder output,
//     (B*S, C)) once; each query row attends over its sentence's S rows:
//     kv_block[n] = sentence of n, block_stride = S * C, key_stride = C.
// The decoder sets step, kv_block and key_len before each call.
template <typename T>
struct KvCache {
    bool append = true;
    Buf<T> k, v;
    bool filled = false;  // cross-attention: keys and values projected
    int64_t step = 0;     // self-attention: the slot this call writes
    const int64_t* kv_block = nullptr;  // (N)
    const int64_t* key_len = nullptr;   // (N)
    ops::CacheLayout layout;
    void reset() {
        k.clear();
        v.clear();
        filled = false;
        step = 0;
    }
};

// With cache: qs = (N, 1) query rows, ks the shape of xkv, and dropout must be 0.
template <typename T>
void attention_layer_forward(const Context& ctx, const Params<T>& p, const AttentionSpec& s,
                             const SublayerCfg& cfg, AttentionSaved<T>& sv, T* out, const T* xq,
                             const T* xkv, const SeqShape& qs, const SeqShape& ks, bool causal,
                             uint64_t dropout_key, double dropout_p, KvCache<T>* cache = nullptr);

// Self-attention (xkv == xq): pass dxkv == dxq; every projection's input gradient goes to dxq
// (= from q, += from k and v). Cross-attention: dxq = from q; dxkv += from k and v, so the
// encoder-output gradient accumulates across decoder layers.
template <typename T>
void attention_layer_backward(const Context& ctx, Params<T>& p, const AttentionSpec& s,
                              const SublayerCfg& cfg, const AttentionSaved<T>& sv,
                              AttentionScratch<T>& ws, T* dxq, T* dxkv, const T* dout,
                              const T* xq, const T* xkv, const SeqShape& qs, const SeqShape& ks,
                              bool causal, uint64_t dropout_key, double dropout_p);

}  // namespace deepnet
