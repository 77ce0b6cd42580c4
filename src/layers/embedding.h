// Input embedding stage:  x = dropout(E[tokens] * sqrt(C) + sinusoid[positions])
// tokens, positions: (B*L);  E: (V, C) at offset `table`;  x: (B*L, C).
// Backward: E grad += sqrt(C) * dropout_bwd(dx) rows, except padding tokens.
#pragma once

#include "src/layers/layer_common.h"

namespace deepnet {

struct EmbeddingSpec {
    int64_t table = -1;  // offset of the (V, C) table
    int64_t dim = 0;     // C
    int64_t vocab = 0;   // V
    int64_t pad_id = 0;
    int64_t uid = 0;     // dropout key
};

template <typename T>
struct PositionTable {
    Buf<T> table;  // (P, C)
    int64_t rows = 0;
    const T* get(const Context& ctx, int64_t needed_rows, int64_t C);  // grows on demand
};

template <typename T>
void embedding_layer_forward(const Context& ctx, const Params<T>& p, const EmbeddingSpec& s, PositionTable<T>& pos,
                             const StepRng& rng, double dropout, T* x, const int64_t* tokens,
                             const int64_t* positions, int64_t N, int64_t max_pos);

// dx is used as scratch (dropout backward in place).
template <typename T>
void embedding_layer_backward(const Context& ctx, Params<T>& p, const EmbeddingSpec& s, const StepRng& rng,
                              double dropout, T* dx, const int64_t* tokens, int64_t N);

}  // namespace deepnet
