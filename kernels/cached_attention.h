// Single-query multi-head attention over cached keys and values: the attention core of
// incremental decoding, where each hypothesis brings one new query row per step.
//   for query row n (one per hypothesis) and head h (columns [h*D, (h+1)*D)):
//     P_j   = softmax_j(q_n . k_j / sqrt(D)),  j < key_len[n]
//     out_n = sum_j P_j v_j
// Key/value j of query n is the row at  base + kv_block[n] * block_stride + j * key_stride
// (same offsets in k and v), so one kernel serves both caches:
//   self-attention, time-major cache (T, N, C):  kv_block[n] = n, block_stride = C,
//                                                key_stride = N * C
//   cross-attention, per-sentence (B, S, C):     kv_block[n] = sentence of n,
//                                                block_stride = S * C, key_stride = C
// q: (N, ldq)  out: (N, ldo). key_len[n] >= 1. No dropout (inference only).
// Same arithmetic as kernels/attention.h's forward (max-subtracted softmax, scale applied
// to the dot products), so it matches the training forward to rounding.
#pragma once

#include <cstdint>

#include "kernels/kernel_types.h"

namespace deepnet::kernels::cpu {

struct CachedAttentionDims {
    int64_t N, H, D;
    int64_t ldq, ldo;
    int64_t block_stride, key_stride;  // elements
};

template <typename T>
void cached_attention_forward(T* out, const T* q, const T* k, const T* v,
                              const int64_t* kv_block, const int64_t* key_len,
                              const CachedAttentionDims& d);

}  // namespace deepnet::kernels::cpu

// The CUDA twin (kernels/cached_attention_cuda.cu): the CPU order, then the stream.
// Storage T = float or bf16, fp32 arithmetic. One block of 128 threads per (query row,
// head): q stays in registers, keys are taken in chunks of 32 (a warp per key's dot
// product), with an online softmax (running max and rescaled sum) so any key_len needs no
// buffer of scores; out is the fp32 accumulation divided by the sum, rounded once to T.
// D (head dim) up to cached_attention_max_head_dim; a larger D throws. kv_block and
// key_len are read on the device: they are not range-checked there (the op checks them on
// the CPU only).
namespace deepnet::kernels::cuda {

constexpr int64_t cached_attention_max_head_dim = 256;

template <typename T>
void cached_attention_forward(T* out, const T* q, const T* k, const T* v,
                              const int64_t* kv_block, const int64_t* key_len,
                              const cpu::CachedAttentionDims& d, cudaStream_t stream);

}  // namespace deepnet::kernels::cuda
