// Multi-head scaled dot-product attention, per (batch, head), on head slices of row-major
// projection outputs:  q: (B*Tq, ldq)  k, v: (B*Tk, ldk/ldv)  out: (B*Tq, ldo); head h uses
// columns [h*D, (h+1)*D).
//   P = softmax(q k^T / sqrt(D) + mask)     probs: (B, H, Tq, Tk), saved (before dropout)
//   out = (P * keep / (1 - p)) v            keep drawn from uniform01(dropout_key, index of P)
// Masks: key j of sentence b is masked when j >= key_len[b] (padding); with causal, also
// when j > i. Every row keeps at least one key (key_len >= 1).
// Backward: dq, dk, dv are overwritten (=).
#pragma once

#include <cstdint>

namespace deepnet::kernels::cpu {

struct AttentionDims {
    int64_t B, Tq, Tk, H, D;
    int64_t ldq, ldk, ldv, ldo;  // row strides (elements)
};

template <typename T>
void attention_forward(T* out, T* probs, const T* q, const T* k, const T* v,
                       const int64_t* key_len, bool causal, T dropout_p, uint64_t dropout_key,
                       const AttentionDims& d);

template <typename T>
void attention_backward(T* dq, T* dk, T* dv, const T* dout, const T* probs, const T* q,
                        const T* k, const T* v, const int64_t* key_len, bool causal,
                        T dropout_p, uint64_t dropout_key, const AttentionDims& d);

}  // namespace deepnet::kernels::cpu

// No CUDA twin yet: the GPU training step writes deepnet::kernels::cuda entry points here;
// until then src/ops answers "not built" on a CUDA context.
