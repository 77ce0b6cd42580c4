// Residual sublayer in the four norm schemes (see residual.h).
#include "src/layers/residual.h"

#include "src/ops/dropout.h"
#include "src/ops/elementwise.h"

namespace deepnet {

template <typename T>
const T* residual_branch_input(const Context& ctx, const Params<T>& p, const NormSpec& ln, const SublayerCfg& cfg,
                               ResidualSaved<T>& sv, const T* x, int64_t N) {
    if (!is_pre_norm(cfg.scheme)) return x;
    T* u = ensure(ctx, sv.u, N * ln.dim);
    norm_fwd(ctx, p, ln, u, ensure(ctx, sv.mean, N), ensure(ctx, sv.rstd, N), x, static_cast<const T*>(nullptr),
             1.0, cfg.eps, N);
    return u;
}

template <typename T>
void residual_end(const Context& ctx, const Params<T>& p, const NormSpec& ln, const SublayerCfg& cfg,
                  ResidualSaved<T>& sv, T* y, const T* x, int64_t N, uint64_t key, double drop) {
    const int64_t n = N * ln.dim;
    T* g = sv.g.data();
    ops::dropout_forward(ctx, tv(ctx, g, {n}), tv(ctx, g, {n}), drop, key);
    if (is_pre_norm(cfg.scheme)) {
        ops::add(ctx, tv(ctx, y, {n}), tv(ctx, x, {n}), tv(ctx, g, {n}));
        return;
    }
    norm_fwd(ctx, p, ln, y, ensure(ctx, sv.mean, N), ensure(ctx, sv.rstd, N), x, g, cfg.alpha, cfg.eps, N);
}

template <typename T>
void residual_end_backward(const Context& ctx, Params<T>& p, const NormSpec& ln, const SublayerCfg& cfg,
                           const ResidualSaved<T>& sv, T* dx, T* dg, const T* dy, const T* x,
                           int64_t N, uint64_t key, double drop) {
    const int64_t n = N * ln.dim;
    if (is_pre_norm(cfg.scheme)) {
        ops::copy(ctx, tv(ctx, dx, {n}), tv(ctx, dy, {n}));
        ops::dropout_backward(ctx, tv(ctx, dg, {n}), tv(ctx, dy, {n}), drop, key);
        return;
    }
    norm_bwd(ctx, p, ln, dx, dg, dy, x, sv.g.data(), sv.mean.data(), sv.rstd.data(), cfg.alpha, N);
    ops::dropout_backward(ctx, tv(ctx, dg, {n}), tv(ctx, dg, {n}), drop, key);
}

template <typename T>
void residual_begin_backward(const Context& ctx, Params<T>& p, const NormSpec& ln, const SublayerCfg& cfg,
                             const ResidualSaved<T>& sv, T* dx, T* d_in, const T* x, int64_t N) {
    const int64_t n = N * ln.dim;
    if (is_pre_norm(cfg.scheme)) {
        // d_in is the gradient wrt LN(x): take it back through the LayerNorm in place.
        norm_bwd(ctx, p, ln, d_in, static_cast<T*>(nullptr), d_in, x, static_cast<const T*>(nullptr),
                 sv.mean.data(), sv.rstd.data(), 1.0, N);
    }
    ops::accumulate(ctx, tv(ctx, dx, {n}), tv(ctx, d_in, {n}));
}

#define DEEPNET_INSTANTIATE(T)                                                                 \
    template const T* residual_branch_input<T>(const Context&, const Params<T>&, const NormSpec&,              \
                                               const SublayerCfg&, ResidualSaved<T>&, const T*, \
                                               int64_t);                                       \
    template void residual_end<T>(const Context&, const Params<T>&, const NormSpec&, const SublayerCfg&,       \
                                  ResidualSaved<T>&, T*, const T*, int64_t, uint64_t, double); \
    template void residual_end_backward<T>(const Context&, Params<T>&, const NormSpec&, const SublayerCfg&,    \
                                           const ResidualSaved<T>&, T*, T*, const T*,          \
                                           const T*, int64_t, uint64_t, double);               \
    template void residual_begin_backward<T>(const Context&, Params<T>&, const NormSpec&, const SublayerCfg&,  \
                                             const ResidualSaved<T>&, T*, T*, const T*, int64_t);
DEEPNET_INSTANTIATE(float)
DEEPNET_INSTANTIATE(double)
#undef DEEPNET_INSTANTIATE

}  // namespace deepnet
