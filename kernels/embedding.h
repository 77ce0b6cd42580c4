// Token embedding, scaled, plus sinusoidal positions:
//   y[n] = table[tokens[n]] * scale + pos_table[positions[n]]
// tokens, positions: (N)  table: (V, C)  pos_table: (P, C)  y: (N, C)
// sinusoid_table fills (P, C) the fairseq/tensor2tensor way: the first C/2 columns are
// sin(p * w_i), the last C/2 are cos(p * w_i), w_i = exp(-i * ln(10000) / (C/2 - 1)).
// Backward: dtable[tokens[n]] += dy[n] * scale, except rows whose token is skip_token
// (the padding token gets no gradient, as fairseq's padding_idx).
#pragma once

#include <cstdint>

#include "kernels/kernel_types.h"

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

// The CUDA twin (kernels/embedding_cuda.cu): the CPU order with fp32 statistics and gradients, then
// the sizes, scratch and stream it needs. Storage T = float or bf16.
namespace deepnet::kernels::cuda {

// ---- embedding: y[n] = table[tokens[n]] * scale + pos_table[positions[n]] ----------------
// tokens, positions: (N) int64 in [0, V) and [0, P). table: (V, C) T; pos_table (P, C) T
// (filled on the host by cpu::sinusoid_table and copied). y: (N, C) T.
template <typename T>
void embedding_forward(T* y, const int64_t* tokens, const int64_t* positions, const T* table,
                       const T* pos_table, float scale, int64_t N, int64_t C, cudaStream_t stream);

// Backward: dtable[tokens[n]] += dy[n] * scale (fp32), rows with skip_token skipped.
// Deterministic: a stable radix sort of (token, row) groups the rows of each token, and one
// block per token adds them in row order (the CPU's order). scratch: at least
// embedding_backward_scratch_bytes(N, V) bytes, 256-byte aligned.
size_t embedding_backward_scratch_bytes(int64_t N, int64_t V);
template <typename T>
void embedding_backward(float* dtable, const T* dy, const int64_t* tokens, float scale,
                        int64_t skip_token, int64_t N, int64_t C, int64_t V, void* scratch,
                        size_t scratch_bytes, cudaStream_t stream);

}  // namespace deepnet::kernels::cuda
