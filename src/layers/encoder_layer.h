// One encoder layer: self-attention sublayer, then FFN sublayer, each wrapped by the
// residual scheme (residual.h). fairseq names under encoder.layers.<i>.:
//   self_attn.*, self_attn_layer_norm, fc1, fc2, final_layer_norm (the FFN's LayerNorm)
// x, y: (B*S, C).
#pragma once

#include "src/layers/attention.h"
#include "src/layers/feed_forward.h"
#include "src/layers/residual.h"

namespace deepnet {

// Dropout sites within a layer (part of the RNG key, so masks never collide).
enum DropoutSite : int {
    kSelfAttnProbs = 0, kSelfAttnOut = 1, kFfnHidden = 2, kFfnOut = 3,
    kCrossAttnProbs = 4, kCrossAttnOut = 5,
};

struct EncoderLayerSpec {
    AttentionSpec self_attn;
    NormSpec self_attn_ln;
    FfnSpec ffn;
    NormSpec ffn_ln;
    int64_t uid = 0;  // distinct per layer: keys its dropout masks
};

EncoderLayerSpec declare_encoder_layer(ParamLayout& layout, const std::string& prefix, int64_t C,
                                       int64_t F, NormScheme scheme, int64_t uid);

template <typename T>
struct EncoderLayerSaved {
    ResidualSaved<T> r_att, r_ffn;
    AttentionSaved<T> att;
    FfnSaved<T> ffn;
    Buf<T> x1;  // output of the attention sublayer (N, C)
};

template <typename T>
struct LayerScratch {
    AttentionScratch<T> att;
    FfnScratch<T> ffn;
    Buf<T> dx1, dx2, dg, d_in;
};

template <typename T>
void encoder_layer_forward(const Context& ctx, const Params<T>& p, const EncoderLayerSpec& s, const SublayerCfg& cfg,
                           const StepRng& rng, EncoderLayerSaved<T>& sv, T* y, const T* x,
                           const SeqShape& ss);

// dx = (overwritten) gradient wrt x, from dy.
template <typename T>
void encoder_layer_backward(const Context& ctx, Params<T>& p, const EncoderLayerSpec& s, const SublayerCfg& cfg,
                            const StepRng& rng, const EncoderLayerSaved<T>& sv,
                            LayerScratch<T>& ws, T* dx, const T* dy, const T* x,
                            const SeqShape& ss);

}  // namespace deepnet
