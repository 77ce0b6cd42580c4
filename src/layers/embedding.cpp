// Input embedding stage (token lookup, scale, sinusoidal positions, dropout).
#include "src/layers/embedding.h"

#include <algorithm>
#include <cmath>

#include "src/ops/dropout.h"
#include "src/ops/embedding.h"

namespace deepnet {

template <typename T>
const T* PositionTable<T>::get(const Context& ctx, int64_t needed_rows, int64_t C) {
    if (needed_rows > rows) {
        rows = std::max<int64_t>(needed_rows, 2 * rows);
        ops::sinusoid_table(ctx, tv(ctx, ensure(ctx, table, rows * C), {rows, C}));
    }
    return table.data();
}

template <typename T>
void embedding_layer_forward(const Context& ctx, const Params<T>& p, const EmbeddingSpec& s, PositionTable<T>& pos,
                             const StepRng& rng, double dropout, T* x, const int64_t* tokens,
                             const int64_t* positions, int64_t N, int64_t max_pos) {
    const int64_t C = s.dim;
    const T* pt = pos.get(ctx, max_pos, C);
    ops::embedding_forward(ctx, tv(ctx, x, {N, C}), tv(ctx, tokens, {N}), tv(ctx, positions, {N}),
                           tv(ctx, p.v(s.table), {s.vocab, C}), tv(ctx, pt, {pos.rows, C}),
                           std::sqrt(double(C)));
    ops::dropout_forward(ctx, tv(ctx, x, {N * C}), tv(ctx, x, {N * C}), rng.training ? dropout : 0.0,
                         rng.key(s.uid, 0));
}

template <typename T>
void embedding_layer_backward(const Context& ctx, Params<T>& p, const EmbeddingSpec& s, const StepRng& rng,
                              double dropout, T* dx, const int64_t* tokens, int64_t N) {
    const int64_t C = s.dim;
    ops::dropout_backward(ctx, tv(ctx, dx, {N * C}), tv(ctx, dx, {N * C}), rng.training ? dropout : 0.0,
                          rng.key(s.uid, 0));
    ops::embedding_backward(ctx, tv(ctx, p.g(s.table), {s.vocab, C}), tv(ctx, dx, {N, C}),
                            tv(ctx, tokens, {N}), std::sqrt(double(C)), s.pad_id);
}

template struct PositionTable<float>;
template struct PositionTable<double>;
#define DEEPNET_INSTANTIATE(T)                                                                \
    template void embedding_layer_forward<T>(const Context&, const Params<T>&, const EmbeddingSpec&,          \
                                             PositionTable<T>&, const StepRng&, double, T*,   \
                                             const int64_t*, const int64_t*, int64_t, int64_t); \
    template void embedding_layer_backward<T>(const Context&, Params<T>&, const EmbeddingSpec&,               \
                                              const StepRng&, double, T*, const int64_t*,     \
                                              int64_t);
DEEPNET_INSTANTIATE(float)
DEEPNET_INSTANTIATE(double)
#undef DEEPNET_INSTANTIATE

}  // namespace deepnet
