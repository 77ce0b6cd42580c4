// Label-smoothed softmax cross-entropy over the vocabulary, fused with its softmax:
//   q = (1 - eps) * onehot(target) + eps / V          (PyTorch's label_smoothing meaning)
//   loss[n] = -sum_v q_v log softmax(logits[n])_v,  nll[n] = -log softmax(logits[n])_target
// logits: (N, V)  targets: (N), -1 = ignored row (padding: loss = nll = 0)
// lse: (N) log-sum-exp saved for backward.
// Backward: dlogits = scale * (softmax - q) (=), zero on ignored rows; dlogits may alias
// logits, so no second (N, V) buffer is needed.
#pragma once

#include <cstdint>

#include "kernels/kernel_types.h"

namespace deepnet::kernels::cpu {

template <typename T>
void cross_entropy_forward(T* loss, T* nll, T* lse, const T* logits, const int64_t* targets,
                           T eps, int64_t N, int64_t V);

template <typename T>
void cross_entropy_backward(T* dlogits, const T* logits, const T* lse, const int64_t* targets,
                            T eps, T scale, int64_t N, int64_t V);

// sums[0] = sum of loss, sums[1] = sum of nll over the N rows, in double, in row order
// (a fixed order: the logged losses repeat bitwise).
template <typename T>
void loss_sums(double* sums, const T* loss, const T* nll, int64_t N);

}  // namespace deepnet::kernels::cpu

// The CUDA twin (kernels/cross_entropy_cuda.cu): the CPU order with fp32 statistics and gradients, then
// the sizes, scratch and stream it needs. Storage T = float or bf16.
namespace deepnet::kernels::cuda {

// ---- cross_entropy: label-smoothed softmax CE over V, see kernels/cross_entropy.h --------
// logits: (N, V) T; targets (N), -1 = ignored row; loss, nll, lse: (N) fp32.
template <typename T>
void cross_entropy_forward(float* loss, float* nll, float* lse, const T* logits,
                           const int64_t* targets, float eps, int64_t N, int64_t V,
                           cudaStream_t stream);
// dlogits = scale * (softmax - q) (=); may alias logits.
template <typename T>
void cross_entropy_backward(T* dlogits, const T* logits, const float* lse, const int64_t* targets,
                            float eps, float scale, int64_t N, int64_t V, cudaStream_t stream);
// Both in one launch, in place: logits_grad holds the logits on entry and scale * (softmax
// - q) on return; no second (N, V) buffer.
template <typename T>
void cross_entropy_forward_backward(float* loss, float* nll, float* lse, T* logits_grad,
                                    const int64_t* targets, float eps, float scale, int64_t N,
                                    int64_t V, cudaStream_t stream);

// sums[0] = sum of loss, sums[1] = sum of nll (device, fp64) over the N fp32 rows.
// Deterministic: a fixed grid of loss_sums_scratch_doubles() / 2 blocks writes fp64
// partials to `scratch`, then one block adds them in a fixed order. The order differs from
// the CPU's row order, so the two agree to fp64 rounding, not bit for bit.
int64_t loss_sums_scratch_doubles();
void loss_sums(double* sums, const float* loss, const float* nll, int64_t N, double* scratch,
               cudaStream_t stream);

}  // namespace deepnet::kernels::cuda
