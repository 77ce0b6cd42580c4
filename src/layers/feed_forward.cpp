// Feed-forward layer: two GEMMs around an elementwise activation (+ dropout, + Sub-LN); a
// ReLU is fused into the first GEMM (ops::linear_forward's relu).
#include "src/layers/feed_forward.h"

#include "src/ops/dropout.h"

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
void ffn_forward(const Context& ctx, const Params<T>& p, const FfnSpec& s, const SublayerCfg& cfg, FfnSaved<T>& sv,
                 T* out, const T* x, int64_t N, uint64_t dropout_key, double dropout_p) {
    const int64_t F = s.fc1.out;
    T* h = ensure(ctx, sv.h, N * F);
    if (cfg.act == ops::ActKind::ReLU) {  // h = relu(x W1^T + b1) in one pass (the GEMM's epilogue)
        linear_fwd(ctx, p, s.fc1, h, x, N, /*relu=*/true);
    } else {
        T* a = ensure(ctx, sv.a, N * F);
        linear_fwd(ctx, p, s.fc1, a, x, N);
        ops::activation_forward(ctx, tv(ctx, h, {N * F}), tv(ctx, a, {N * F}), cfg.act);
    }
    ops::dropout_forward(ctx, tv(ctx, h, {N * F}), tv(ctx, h, {N * F}), dropout_p, dropout_key);
    const T* fc2_in = h;
    if (s.has_inner_ln()) {
        T* hn = ensure(ctx, sv.hn, N * F);
        norm_fwd(ctx, p, s.inner_ln, hn, ensure(ctx, sv.ln_mean, N), ensure(ctx, sv.ln_rstd, N), h,
                 static_cast<const T*>(nullptr), 1.0, cfg.eps, N);
        fc2_in = hn;
    }
    linear_fwd(ctx, p, s.fc2, out, fc2_in, N);
}

template <typename T>
void ffn_backward(const Context& ctx, Params<T>& p, const FfnSpec& s, const SublayerCfg& cfg, const FfnSaved<T>& sv,
                  FfnScratch<T>& ws, T* dx, const T* dout, const T* x, int64_t N,
                  uint64_t dropout_key, double dropout_p) {
    const int64_t F = s.fc1.out;
    T* dh = ensure(ctx, ws.dh, N * F);
    if (s.has_inner_ln()) {
        T* dhn = ensure(ctx, ws.dhn, N * F);
        linear_bwd(ctx, p, s.fc2, dhn, dout, sv.hn.data(), N);
        norm_bwd(ctx, p, s.inner_ln, dh, static_cast<T*>(nullptr), dhn, sv.h.data(),
                 static_cast<const T*>(nullptr), sv.ln_mean.data(), sv.ln_rstd.data(), 1.0, N);
    } else {
        linear_bwd(ctx, p, s.fc2, dh, dout, sv.h.data(), N);
    }
    ops::dropout_backward(ctx, tv(ctx, dh, {N * F}), tv(ctx, dh, {N * F}), dropout_p, dropout_key);
    // ReLU's derivative from h: where dropout kept an element h > 0 exactly where the GEMM's
    // output was, and where it dropped one dh is already 0 (so ReLU keeps no `a`).
    const T* act_in = cfg.act == ops::ActKind::ReLU ? sv.h.data() : sv.a.data();
    ops::activation_backward(ctx, tv(ctx, dh, {N * F}), tv(ctx, dh, {N * F}), tv(ctx, act_in, {N * F}), cfg.act);
    linear_bwd(ctx, p, s.fc1, dx, dh, x, N);
}

#define DEEPNET_INSTANTIATE(T)                                                                \
    template void ffn_forward<T>(const Context&, const Params<T>&, const FfnSpec&, const SublayerCfg&,        \
                                 FfnSaved<T>&, T*, const T*, int64_t, uint64_t, double);      \
    template void ffn_backward<T>(const Context&, Params<T>&, const FfnSpec&, const SublayerCfg&,             \
                                  const FfnSaved<T>&, FfnScratch<T>&, T*, const T*, const T*, \
                                  int64_t, uint64_t, double);
DEEPNET_INSTANTIATE(float)
DEEPNET_INSTANTIATE(double)
#undef DEEPNET_INSTANTIATE

}  // namespace deepnet
