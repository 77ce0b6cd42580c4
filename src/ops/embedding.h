// Embedding op (kernels/embedding.h): y[n] = table[tokens[n]] * scale + pos_table[positions[n]]
//   tokens, positions: (N) i64  table: (V, C)  pos_table: (P, C)  y: (N, C)
// Every token and position is checked against the table sizes first.
#pragma once

#include <cstdint>

#include "src/core/context.h"

namespace deepnet::ops {

// The fairseq sinusoidal table (P, C).
void sinusoid_table(const Context& ctx, const TensorView& pos_table);

void embedding_forward(const Context& ctx, const TensorView& y, const TensorView& tokens,
                       const TensorView& positions, const TensorView& table,
                       const TensorView& pos_table, double scale);

// dtable[tokens[n]] += dy[n] * scale, except rows whose token is skip_token.
void embedding_backward(const Context& ctx, const TensorView& dtable, const TensorView& dy,
                        const TensorView& tokens, double scale, int64_t skip_token);

}  // namespace deepnet::ops
