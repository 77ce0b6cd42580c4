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

#include "kernels/kernel_types.h"

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

// The CUDA twin (kernels/attention_cuda.cu),
// flash-style: it never forms the (B, H, Tq, Tk) probabilities in global memory. The
// forward saves lse (B, H, Tq) fp32, the log-sum-exp of each row's scaled, masked scores,
// instead of probs; the backward recomputes P from q, k and lse, and needs the forward's
// `out`. Same head-slice layout and strides, masks and dropout draws as the CPU twin (the
// masks are equal bit for bit). Storage T = float or bf16, arithmetic fp32 (bf16 products
// on tensor cores). Head size D: a multiple of 8 up to 128, else std::invalid_argument.
namespace deepnet::kernels::cuda {

using AttentionDims = cpu::AttentionDims;

// out: (B*Tq, ldo) T; lse: (B, H, Tq) fp32 (=). key_len: (B) on the device, each >= 1.
template <typename T>
void attention_forward(T* out, float* lse, const T* q, const T* k, const T* v, const int64_t* key_len,
                       bool causal, float dropout_p, uint64_t dropout_key, const AttentionDims& d,
                       cudaStream_t stream);

// dq, dk, dv overwritten (=), with the row strides ldq, ldk, ldv. `out` and `lse` are the
// forward's. Deterministic (no atomics): one pass per key tile writes dk, dv; one pass per
// query tile writes dq. `scratch`: attention_backward_scratch_floats(d) floats (the row
// dots D_i = dout_i . out_i).
int64_t attention_backward_scratch_floats(const AttentionDims& d);
template <typename T>
void attention_backward(T* dq, T* dk, T* dv, const T* dout, const float* lse, const T* out, const T* q,
                        const T* k, const T* v, const int64_t* key_len, bool causal, float dropout_p,
                        uint64_t dropout_key, const AttentionDims& d, float* scratch, cudaStream_t stream);

}  // namespace deepnet::kernels::cuda
