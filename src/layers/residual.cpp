// Residual sublayer in the four norm schemes (see residual.h).
#include "src/layers/residual.h"

#include "kernels/dropout.h"

namespace deepnet {

template <typename T>
const T* residual_branch_input(const Params<T>& p, const NormSpec& ln, const SublayerCfg& cfg,
                               ResidualSaved<T>& sv, const T* x, int64_t N) {
    if (!is_pre_norm(cfg.scheme)) return x;
    T* u = ensure(sv.u, N * ln.dim);
    norm_fwd(p, ln, u, ensure(sv.mean, N), ensure(sv.rstd, N), x, static_cast<const T*>(nullptr),
             1.0, cfg.eps, N);
    return u;
}

template <typename T>
void residual_end(const Params<T>& p, const NormSpec& ln, const SublayerCfg& cfg,
                  ResidualSaved<T>& sv, T* y, const T* x, int64_t N, uint64_t key, double drop) {
    const int64_t n = N * ln.dim;
    T* g = sv.g.data();
    kernels::cpu::dropout_forward<T>(g, g, n, T(drop), key);
    if (is_pre_norm(cfg.scheme)) {
#pragma omp parallel for simd schedule(static)
        for (int64_t i = 0; i < n; ++i) y[i] = x[i] + g[i];
        return;
    }
    norm_fwd(p, ln, y, ensure(sv.mean, N), ensure(sv.rstd, N), x, g, cfg.alpha, cfg.eps, N);
}

template <typename T>
void residual_end_backward(Params<T>& p, const NormSpec& ln, const SublayerCfg& cfg,
                           const ResidualSaved<T>& sv, T* dx, T* dg, const T* dy, const T* x,
                           int64_t N, uint64_t key, double drop) {
    const int64_t n = N * ln.dim;
    if (is_pre_norm(cfg.scheme)) {
#pragma omp parallel for simd schedule(static)
        for (int64_t i = 0; i < n; ++i) dx[i] = dy[i];
        kernels::cpu::dropout_backward<T>(dg, dy, n, T(drop), key);
        return;
    }
    norm_bwd(p, ln, dx, dg, dy, x, sv.g.data(), sv.mean.data(), sv.rstd.data(), cfg.alpha, N);
    kernels::cpu::dropout_backward<T>(dg, dg, n, T(drop), key);
}

template <typename T>
void residual_begin_backward(Params<T>& p, const NormSpec& ln, const SublayerCfg& cfg,
                             const ResidualSaved<T>& sv, T* dx, T* d_in, const T* x, int64_t N) {
    const int64_t n = N * ln.dim;
    if (is_pre_norm(cfg.scheme)) {
        // d_in is the gradient wrt LN(x): take it back through the LayerNorm in place.
        norm_bwd(p, ln, d_in, static_cast<T*>(nullptr), d_in, x, static_cast<const T*>(nullptr),
                 sv.mean.data(), sv.rstd.data(), 1.0, N);
    }
#pragma omp parallel for simd schedule(static)
    for (int64_t i = 0; i < n; ++i) dx[i] += d_in[i];
}

#define DEEPNET_INSTANTIATE(T)                                                                 \
    template const T* residual_branch_input<T>(const Params<T>&, const NormSpec&,              \
                                               const SublayerCfg&, ResidualSaved<T>&, const T*, \
                                               int64_t);                                       \
    template void residual_end<T>(const Params<T>&, const NormSpec&, const SublayerCfg&,       \
                                  ResidualSaved<T>&, T*, const T*, int64_t, uint64_t, double); \
    template void residual_end_backward<T>(Params<T>&, const NormSpec&, const SublayerCfg&,    \
                                           const ResidualSaved<T>&, T*, T*, const T*,          \
                                           const T*, int64_t, uint64_t, double);               \
    template void residual_begin_backward<T>(Params<T>&, const NormSpec&, const SublayerCfg&,  \
                                             const ResidualSaved<T>&, T*, T*, const T*, int64_t);
DEEPNET_INSTANTIATE(float)
DEEPNET_INSTANTIATE(double)
#undef DEEPNET_INSTANTIATE

}  // namespace deepnet
