// Position-wise feed-forward layer, fairseq names <prefix>fc1, <prefix>fc2 and (Sub-LN only)
// <prefix>ffn_layernorm:
//   a = x W1^T + b1 (N, F);  h = dropout_ffn(act(a));  [h = LN(h)];  out = h W2^T + b2 (N, C)
#pragma once

#include "src/layers/layer_common.h"

namespace deepnet {

struct FfnSpec {
    LinearSpec fc1, fc2;
    NormSpec inner_ln;  // gamma = -1 when absent
    bool has_inner_ln() const { return inner_ln.gamma >= 0; }
};

FfnSpec declare_ffn(ParamLayout& layout, const std::string& prefix, int64_t C, int64_t F,
                    bool inner_ln);

template <typename T>
struct FfnSaved {
    Buf<T> a;   // (N, F) before the activation (GELU only: ReLU's backward reads h)
    Buf<T> h;   // (N, F) after activation and dropout
    Buf<T> hn, ln_mean, ln_rstd;  // Sub-LN only
};

template <typename T>
struct FfnScratch {
    Buf<T> dh, dhn;
};

template <typename T>
void ffn_forward(const Context& ctx, const Params<T>& p, const FfnSpec& s, const SublayerCfg& cfg, FfnSaved<T>& sv,
                 T* out, const T* x, int64_t N, uint64_t dropout_key, double dropout_p);

// dx = (overwritten) gradient wrt x.
template <typename T>
void ffn_backward(const Context& ctx, Params<T>& p, const FfnSpec& s, const SublayerCfg& cfg, const FfnSaved<T>& sv,
                  FfnScratch<T>& ws, T* dx, const T* dout, const T* x, int64_t N,
                  uint64_t dropout_key, double dropout_p);

}  // namespace deepnet
