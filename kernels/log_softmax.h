// Log-probabilities over the vocabulary, for decoding and scoring (no gradient):
//   log_softmax_forward:  x[n] -= max + log(sum_v exp(x[n, v] - max))   in place, (N, V)
//   target_log_probs:     out[n] = log softmax(logits[n])_targets[n] in double (the exact
//                         sentence scores of `deepnet score`); rows with target < 0 are left
//                         untouched.
// float rows use the vectorised exp of fast_exp.h (as training does); double rows std::exp.
#pragma once

#include <cstdint>

#include "kernels/kernel_types.h"

namespace deepnet::kernels::cpu {

template <typename T>
void log_softmax_forward(T* x, int64_t N, int64_t V);

template <typename T>
void target_log_probs(double* out, const T* logits, const int64_t* targets, int64_t N, int64_t V);

}  // namespace deepnet::kernels::cpu

// The CUDA twin (kernels/log_softmax_cuda.cu): the CPU order, then the sizes and stream.
// Storage T = float or bf16; one block per row, the row read in 16-byte vectors when V is a
// multiple of the vector width and the row pointer is aligned (scalar loads otherwise).
namespace deepnet::kernels::cuda {

// x (N, V) in place: fp32 online max and sum over the row, then x - lse rounded to T.
template <typename T>
void log_softmax_forward(T* x, int64_t N, int64_t V, cudaStream_t stream);

// out (N) fp64: as the CPU twin, in double: the max is exact, exp(x - max) is summed in
// fp64 in a fixed order (deterministic), so the result differs from the CPU's only by the
// order of the sum and the device's exp/log rounding (the test allows 1e-11 absolute).
// Rows with target < 0 are not written.
template <typename T>
void target_log_probs(double* out, const T* logits, const int64_t* targets, int64_t N, int64_t V,
                      cudaStream_t stream);

}  // namespace deepnet::kernels::cuda
