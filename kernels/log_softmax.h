// Log-probabilities over the vocabulary, for decoding and scoring (no gradient):
//   log_softmax_forward:  x[n] -= max + log(sum_v exp(x[n, v] - max))   in place, (N, V)
//   target_log_probs:     out[n] = log softmax(logits[n])_targets[n] in double (the exact
//                         sentence scores of `deepnet score`); rows with target < 0 are left
//                         untouched.
// float rows use the vectorised exp of fast_exp.h (as training does); double rows std::exp.
#pragma once

#include <cstdint>

namespace deepnet::kernels::cpu {

template <typename T>
void log_softmax_forward(T* x, int64_t N, int64_t V);

template <typename T>
void target_log_probs(double* out, const T* logits, const int64_t* targets, int64_t N, int64_t V);

}  // namespace deepnet::kernels::cpu

// No CUDA twin yet: the GPU training step writes deepnet::kernels::cuda entry points here;
// until then src/ops answers "not built" on a CUDA context.
