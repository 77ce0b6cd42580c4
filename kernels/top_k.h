// The k best extensions of each hypothesis, for beam search:
//   candidates of row n: base[n] + logp[n, w] (in double) for every token w not banned in
//   row n's mask: `banned_last` when last[n] != 0 (only </s> at the length cap), else
//   `banned` (1 = banned).
//   out: scores (N, k), tokens (N, k); count[n] = how many were found (<= k).
// k <= insertion_max_k: insertion into a sorted row, best first (ties: lower token first).
// Larger k: a selection (nth_element on the scores, then a scan in token order), unsorted;
// of the candidates tied with the k-th best the lowest tokens are kept, the same set.
// logp: (N, V) float or double; masks (V) and last (N) as 0/1 in int64.
#pragma once

#include <cstdint>

#include "kernels/kernel_types.h"

namespace deepnet::kernels::cpu {

template <typename T>
void top_k_rows(double* scores, int64_t* tokens, int64_t* count, const T* logp, const double* base,
                const int64_t* banned, const int64_t* banned_last, const int64_t* last, int64_t k,
                int64_t insertion_max_k, int64_t N, int64_t V);

// The same top-k of log_softmax(logits) rows, logits (N, V) left unchanged: each row is
// normalised into a per-thread copy by log_softmax_forward (kernels/log_softmax.h), then
// ranked as above, so the result equals log_softmax_forward followed by top_k_rows.
template <typename T>
void top_k_rows_of_logits(double* scores, int64_t* tokens, int64_t* count, const T* logits, const double* base,
                          const int64_t* banned, const int64_t* banned_last, const int64_t* last, int64_t k,
                          int64_t insertion_max_k, int64_t N, int64_t V);

}  // namespace deepnet::kernels::cpu

// The CUDA twin (kernels/top_k_cuda.cu): the CPU order without insertion_max_k, then the
// stream. logp storage T = float or bf16 (the scores are base + logp in double, as on the
// CPU, so they equal the CPU's bit for bit). The result is always sorted best first, ties
// by lower token: for k <= insertion_max_k exactly the CPU's output; for larger k the same
// set (and scores) that the CPU returns unsorted. Entries past count[n] are not written.
// One block per row; k up to top_k_max_k (above: an error). logp must hold no NaN (as on
// the CPU, where the two paths would then disagree).
namespace deepnet::kernels::cuda {

constexpr int64_t top_k_max_k = 256;

template <typename T>
void top_k_rows(double* scores, int64_t* tokens, int64_t* count, const T* logp, const double* base,
                const int64_t* banned, const int64_t* banned_last, const int64_t* last, int64_t k,
                int64_t N, int64_t V, cudaStream_t stream);

// Fused log-softmax + top-k: the candidates are base + (x - lse) rounded to T exactly as
// log_softmax_forward (kernels/log_softmax.h) would store it, so the result equals that op
// followed by top_k_rows bit for bit, in one kernel that reads each row twice and writes
// nothing back (the N x V log-probabilities are never formed).
template <typename T>
void top_k_rows_of_logits(double* scores, int64_t* tokens, int64_t* count, const T* logits, const double* base,
                          const int64_t* banned, const int64_t* banned_last, const int64_t* last, int64_t k,
                          int64_t N, int64_t V, cudaStream_t stream);

}  // namespace deepnet::kernels::cuda
