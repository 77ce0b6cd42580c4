// Attention core ops: softmax(q k^T / sqrt(D)) v per head, with padding and causal masks and
// dropout on the probabilities (kernels/attention.h), and the single-query form over a
// key/value cache used by incremental decoding (kernels/cached_attention.h).
//   q, out: (B*Tq, C)  k, v: (B*Tk, C)  key_len: (B) i64  saved: see below
#pragma once

#include <cstdint>
#include <vector>

#include "src/core/context.h"

namespace deepnet::ops {

// What the forward saves for the backward depends on the device:
//   CPU:  probs (B, H, Tq, Tk) of the values' type, the probabilities before dropout;
//   CUDA: lse (B, H, Tq) f32, each row's log-sum-exp of its scaled, masked scores (the
//         flash kernels never form the probabilities in memory; the backward recomputes
//         them from q, k and lse).
// The caller allocates it with these (shape and element type) or takes the view directly.
std::vector<int64_t> attention_saved_shape(const Context& ctx, int64_t B, int64_t H, int64_t Tq, int64_t Tk);
DType attention_saved_dtype(const Context& ctx, DType values);
TensorView attention_saved_view(const Context& ctx, void* data, DType values, int64_t B, int64_t H,
                                int64_t Tq, int64_t Tk);

// saved: written (=), see attention_saved_shape.
void attention_forward(const Context& ctx, const TensorView& out, const TensorView& saved,
                       const TensorView& q, const TensorView& k, const TensorView& v,
                       const TensorView& key_len, bool causal, double dropout_p,
                       uint64_t dropout_key);

// dq, dk, dv are overwritten (=). saved and out are the forward's: the CUDA backward needs
// out (D_i = dout_i . out_i) and takes B * H * Tq floats of the context's workspace; the CPU
// backward reads probs and ignores out (it may be empty there).
void attention_backward(const Context& ctx, const TensorView& dq, const TensorView& dk,
                        const TensorView& dv, const TensorView& dout, const TensorView& saved,
                        const TensorView& out, const TensorView& q, const TensorView& k,
                        const TensorView& v, const TensorView& key_len, bool causal,
                        double dropout_p, uint64_t dropout_key);

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
