// Inverted dropout with a counter-based mask:  y[i] = x[i] * keep(i) / (1 - p),
// keep(i) = uniform01(key, i) >= p. The mask is a function of (key, i), never stored.
// Backward is the same map applied to dy (dx =). In place (y == x) is allowed.
#pragma once

#include <cstdint>

namespace deepnet::kernels::cpu {

template <typename T>
void dropout_forward(T* y, const T* x, int64_t n, T p, uint64_t key);

template <typename T>
void dropout_backward(T* dx, const T* dy, int64_t n, T p, uint64_t key);

}  // namespace deepnet::kernels::cpu
