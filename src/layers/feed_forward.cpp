// Feed-forward layer: two BLAS GEMMs around an elementwise activation (+ dropout, + Sub-LN).
#include "src/layers/feed_forward.h"

#include "kernels/activation.h"
#include "kernels/dropout.h"

namespace deepnet {

FfnSpec declare_ffn(ParamLayout& layout, const std::string& prefix, int64_t C, int64_t F,
                    bool inner_ln) {
    FfnSpec s;
    s.fc1 = declare_linear(layout, prefix + "fc1", C, F);
    if (inner_ln) s.inner_ln = declare_norm(layout, prefix + "ffn_layernorm", F);
    s.fc2 = declare_linear(layout, prefix + "fc2", F, C);
    return s;
}

template <typename T>
void ffn_forward(const Params<T>& p, const FfnSpec& s, const SublayerCfg& cfg, FfnSaved<T>& sv,
                 T* out, const T* x, int64_t N, uint64_t dropout_key, double dropout_p) {
    const int64_t F = s.fc1.out;
    T* a = ensure(sv.a, N * F);
    T* h = ensure(sv.h, N * F);
    linear_fwd(p, s.fc1, a, x, N);
    kernels::cpu::activation_forward<T>(h, a, N * F, cfg.act);
    kernels::cpu::dropout_forward<T>(h, h, N * F, T(dropout_p), dropout_key);
    const T* fc2_in = h;
    if (s.has_inner_ln()) {
        T* hn = ensure(sv.hn, N * F);
        norm_fwd(p, s.inner_ln, hn, ensure(sv.ln_mean, N), ensure(sv.ln_rstd, N), h,
                 static_cast<const T*>(nullptr), 1.0, cfg.eps, N);
        fc2_in = hn;
    }
    linear_fwd(p, s.fc2, out, fc2_in, N);
}

template <typename T>
void ffn_backward(Params<T>& p, const FfnSpec& s, const SublayerCfg& cfg, const FfnSaved<T>& sv,
                  FfnScratch<T>& ws, T* dx, const T* dout, const T* x, int64_t N,
                  uint64_t dropout_key, double dropout_p) {
    const int64_t F = s.fc1.out;
    T* dh = ensure(ws.dh, N * F);
    if (s.has_inner_ln()) {
        T* dhn = ensure(ws.dhn, N * F);
        linear_bwd(p, s.fc2, dhn, dout, sv.hn.data(), N);
        norm_bwd(p, s.inner_ln, dh, static_cast<T*>(nullptr), dhn, sv.h.data(),
                 static_cast<const T*>(nullptr), sv.ln_mean.data(), sv.ln_rstd.data(), 1.0, N);
    } else {
        linear_bwd(p, s.fc2, dh, dout, sv.h.data(), N);
    }
    kernels::cpu::dropout_backward<T>(dh, dh, N * F, T(dropout_p), dropout_key);
    kernels::cpu::activation_backward<T>(dh, dh, sv.a.data(), N * F, cfg.act);
    linear_bwd(p, s.fc1, dx, dh, x, N);
}

#define DEEPNET_INSTANTIATE(T)                                                                \
    template void ffn_forward<T>(const Params<T>&, const FfnSpec&, const SublayerCfg&,        \
                                 FfnSaved<T>&, T*, const T*, int64_t, uint64_t, double);      \
    template void ffn_backward<T>(Params<T>&, const FfnSpec&, const SublayerCfg&,             \
                                  const FfnSaved<T>&, FfnScratch<T>&, T*, const T*, const T*, \
                                  int64_t, uint64_t, double);
DEEPNET_INSTANTIATE(float)
DEEPNET_INSTANTIATE(double)
#undef DEEPNET_INSTANTIATE

}  // namespace deepnet
