// Attention core ops: softmax(q k^T / sqrt(D)) v per head, with padding and causal masks and
// dropout on the probabilities (kernels/attention.h), and the single-query form over a
// key/value cache used by incremental decoding (kernels/cached_attention.h).
//   q, out: (B*Tq, C)  k, v: (B*Tk, C)  probs: (B, H, Tq, Tk)  key_len: (B) i64
#pragma once

#include <cstdint>

#include "src/core/context.h"

namespace deepnet::ops {

void attention_forward(const Context& ctx, const TensorView& out, const TensorView& probs,
                       const TensorView& q, const TensorView& k, const TensorView& v,
                       const TensorView& key_len, bool causal, double dropout_p,
                       uint64_t dropout_key);

// dq, dk, dv are overwritten (=).
void attention_backward(const Context& ctx, const TensorView& dq, const TensorView& dk,
                        const TensorView& dv, const TensorView& dout, const TensorView& probs,
                        const TensorView& q, const TensorView& k, const TensorView& v,
                        const TensorView& key_len, bool causal, double dropout_p,
                        uint64_t dropout_key);

// Where the keys of query row n sit in a cache: row kv_block[n] * block_stride +
// j * key_stride (elements) for j < key_len[n]; see kernels/cached_attention.h.
struct CacheLayout {
    int64_t block_stride = 0, key_stride = 0;
};

// q, out: (N, C); k, v: flat caches; kv_block, key_len: (N) i64. Every key row read is
// checked to lie inside the caches.
void cached_attention_forward(const Context& ctx, const TensorView& out, const TensorView& q,
                              const TensorView& k, const TensorView& v, const TensorView& kv_block,
                              const TensorView& key_len, int64_t heads, const CacheLayout& layout);

}  // namespace deepnet::ops
