// Input embedding stage (token lookup, scale, sinusoidal positions, dropout).
#include "src/layers/embedding.h"

#include <algorithm>
#include <cmath>

#include "kernels/dropout.h"
#include "kernels/embedding.h"

namespace deepnet {

template <typename T>
const T* PositionTable<T>::get(int64_t needed_rows, int64_t C) {
    if (needed_rows > rows) {
        rows = std::max<int64_t>(needed_rows, 2 * rows);
        kernels::cpu::sinusoid_table<T>(ensure(table, rows * C), rows, C);
    }
    return table.data();
}

template <typename T>
void embedding_layer_forward(const Params<T>& p, const EmbeddingSpec& s, PositionTable<T>& pos,
                             const StepRng& rng, double dropout, T* x, const int64_t* tokens,
                             const int64_t* positions, int64_t N, int64_t max_pos) {
    const T* pt = pos.get(max_pos, s.dim);
    kernels::cpu::embedding_forward<T>(x, tokens, positions, p.v(s.table), pt,
                                       T(std::sqrt(double(s.dim))), N, s.dim);
    kernels::cpu::dropout_forward<T>(x, x, N * s.dim, T(rng.training ? dropout : 0.0),
                                     rng.key(s.uid, 0));
}

template <typename T>
void embedding_layer_backward(Params<T>& p, const EmbeddingSpec& s, const StepRng& rng,
                              double dropout, T* dx, const int64_t* tokens, int64_t N) {
    kernels::cpu::dropout_backward<T>(dx, dx, N * s.dim, T(rng.training ? dropout : 0.0),
                                      rng.key(s.uid, 0));
    kernels::cpu::embedding_backward<T>(p.g(s.table), dx, tokens, T(std::sqrt(double(s.dim))),
                                        s.pad_id, N, s.dim);
}

template struct PositionTable<float>;
template struct PositionTable<double>;
#define DEEPNET_INSTANTIATE(T)                                                                \
    template void embedding_layer_forward<T>(const Params<T>&, const EmbeddingSpec&,          \
                                             PositionTable<T>&, const StepRng&, double, T*,   \
                                             const int64_t*, const int64_t*, int64_t, int64_t); \
    template void embedding_layer_backward<T>(Params<T>&, const EmbeddingSpec&,               \
                                              const StepRng&, double, T*, const int64_t*,     \
                                              int64_t);
DEEPNET_INSTANTIATE(float)
DEEPNET_INSTANTIATE(double)
#undef DEEPNET_INSTANTIATE

}  // namespace deepnet
