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

namespace deepnet::kernels::cpu {

template <typename T>
void top_k_rows(double* scores, int64_t* tokens, int64_t* count, const T* logp, const double* base,
                const int64_t* banned, const int64_t* banned_last, const int64_t* last, int64_t k,
                int64_t insertion_max_k, int64_t N, int64_t V);

}  // namespace deepnet::kernels::cpu

// No CUDA twin yet: GPU decoding writes deepnet::kernels::cuda::top_k_rows here; until then
// src/ops answers "not built" on a CUDA context.
