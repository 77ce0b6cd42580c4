// AdamW over a flat parameter buffer (decoupled weight decay, PyTorch's AdamW):
//   g' = g * grad_scale;  m = b1 m + (1-b1) g';  v = b2 v + (1-b2) g'^2
//   p -= lr * wd * p;     p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
// p, g, m, v: (n); step t counts from 1. wd = 0 gives Adam.
#pragma once

#include <cstdint>

namespace deepnet::kernels::cpu {

struct AdamParams {
    double lr, beta1, beta2, eps, weight_decay, grad_scale;
    int64_t step;
};

template <typename T>
void adamw_update(T* p, const T* g, T* m, T* v, int64_t n, const AdamParams& a);

// sum of squares of x (n), accumulated in double: the global gradient norm is its sqrt.
template <typename T>
double sum_squares(const T* x, int64_t n);

}  // namespace deepnet::kernels::cpu
