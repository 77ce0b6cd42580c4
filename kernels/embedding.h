// Token embedding, scaled, plus sinusoidal positions:
//   y[n] = table[tokens[n]] * scale + pos_table[positions[n]]
// tokens, positions: (N)  table: (V, C)  pos_table: (P, C)  y: (N, C)
// sinusoid_table fills (P, C) the fairseq/tensor2tensor way: the first C/2 columns are
// sin(p * w_i), the last C/2 are cos(p * w_i), w_i = exp(-i * ln(10000) / (C/2 - 1)).
// Backward: dtable[tokens[n]] += dy[n] * scale, except rows whose token is skip_token
// (the padding token gets no gradient, as fairseq's padding_idx).
#pragma once

#include <cstdint>

namespace deepnet::kernels::cpu {

template <typename T>
void sinusoid_table(T* pos_table, int64_t P, int64_t C);

template <typename T>
void embedding_forward(T* y, const int64_t* tokens, const int64_t* positions, const T* table,
                       const T* pos_table, T scale, int64_t N, int64_t C);

template <typename T>
void embedding_backward(T* dtable, const T* dy, const int64_t* tokens, T scale,
                        int64_t skip_token, int64_t N, int64_t C);

}  // namespace deepnet::kernels::cpu
