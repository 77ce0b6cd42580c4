// One decoder layer: causal self-attention, cross-attention over the encoder output, FFN,
// each wrapped by the residual scheme. The deepnorm decoder is post-norm (never pre-norm).
// fairseq names under decoder.layers.<i>.: self_attn.*, self_attn_layer_norm,
// encoder_attn.*, encoder_attn_layer_norm, fc1, fc2, final_layer_norm.
// x, y: (B*T, C);  enc: (B*S, C).
#pragma once

#include "src/layers/encoder_layer.h"

namespace deepnet {

struct DecoderLayerSpec {
    AttentionSpec self_attn, cross_attn;
    NormSpec self_attn_ln, cross_attn_ln;
    FfnSpec ffn;
    NormSpec ffn_ln;
    int64_t uid = 0;
};

DecoderLayerSpec declare_decoder_layer(ParamLayout& layout, const std::string& prefix, int64_t C,
                                       int64_t F, NormScheme scheme, int64_t uid);

template <typename T>
struct DecoderLayerSaved {
    ResidualSaved<T> r_self, r_cross, r_ffn;
    AttentionSaved<T> self_att, cross_att;
    FfnSaved<T> ffn;
    Buf<T> x1, x2;  // outputs of the self- and cross-attention sublayers (N, C)
};

// Incremental decoding: the key/value caches of the layer's two attentions.
template <typename T>
struct DecoderLayerCache {
    KvCache<T> self, cross;
    DecoderLayerCache() { cross.append = false; }
};

// With cache (inference only): ts = (N, 1), one new position for N hypotheses.
template <typename T>
void decoder_layer_forward(const Context& ctx, const Params<T>& p, const DecoderLayerSpec& s,
                           const SublayerCfg& cfg, const StepRng& rng, DecoderLayerSaved<T>& sv,
                           T* y, const T* x, const T* enc, const SeqShape& ts, const SeqShape& ss,
                           DecoderLayerCache<T>* cache = nullptr);

// dx = (overwritten) gradient wrt x; denc += gradient wrt the encoder output.
template <typename T>
void decoder_layer_backward(const Context& ctx, Params<T>& p, const DecoderLayerSpec& s, const SublayerCfg& cfg,
                            const StepRng& rng, const DecoderLayerSaved<T>& sv,
                            LayerScratch<T>& ws, T* dx, T* denc, const T* dy, const T* x,
                            const T* enc, const SeqShape& ts, const SeqShape& ss);

}  // namespace deepnet
