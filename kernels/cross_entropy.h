// Label-smoothed softmax cross-entropy over the vocabulary, fused with its softmax:
//   q = (1 - eps) * onehot(target) + eps / V          (PyTorch's label_smoothing meaning)
//   loss[n] = -sum_v q_v log softmax(logits[n])_v,  nll[n] = -log softmax(logits[n])_target
// logits: (N, V)  targets: (N), -1 = ignored row (padding: loss = nll = 0)
// lse: (N) log-sum-exp saved for backward.
// Backward: dlogits = scale * (softmax - q) (=), zero on ignored rows; dlogits may alias
// logits, so no second (N, V) buffer is needed.
#pragma once

#include <cstdint>

namespace deepnet::kernels::cpu {

template <typename T>
void cross_entropy_forward(T* loss, T* nll, T* lse, const T* logits, const int64_t* targets,
                           T eps, int64_t N, int64_t V);

template <typename T>
void cross_entropy_backward(T* dlogits, const T* logits, const T* lse, const int64_t* targets,
                            T eps, T scale, int64_t N, int64_t V);

}  // namespace deepnet::kernels::cpu
