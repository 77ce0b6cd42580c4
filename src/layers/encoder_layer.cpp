// Encoder layer: self-attention + FFN residual sublayers.
#include "src/layers/encoder_layer.h"

namespace deepnet {

EncoderLayerSpec declare_encoder_layer(ParamLayout& layout, const std::string& prefix, int64_t C,
                                       int64_t F, NormScheme scheme, int64_t uid) {
    const bool subln = scheme == NormScheme::SubLN;
    EncoderLayerSpec s;
    s.uid = uid;
    s.self_attn = declare_attention(layout, prefix + "self_attn", C, subln);
    s.self_attn_ln = declare_norm(layout, prefix + "self_attn_layer_norm", C);
    s.ffn = declare_ffn(layout, prefix, C, F, subln);
    s.ffn_ln = declare_norm(layout, prefix + "final_layer_norm", C);
    return s;
}

template <typename T>
void encoder_layer_forward(const Context& ctx, const Params<T>& p, const EncoderLayerSpec& s, const SublayerCfg& cfg,
                           const StepRng& rng, EncoderLayerSaved<T>& sv, T* y, const T* x,
                           const SeqShape& ss) {
    const int64_t N = ss.rows(), C = s.self_attn_ln.dim;
    const T* in = residual_branch_input(ctx, p, s.self_attn_ln, cfg, sv.r_att, x, N);
    attention_layer_forward(ctx, p, s.self_attn, cfg, sv.att, residual_branch_out(ctx, sv.r_att, N, C), in,
                            in, ss, ss, false, rng.key(s.uid, kSelfAttnProbs),
                            cfg.p(cfg.dropout_attention, rng));
    T* x1 = ensure(ctx, sv.x1, N * C);
    residual_end(ctx, p, s.self_attn_ln, cfg, sv.r_att, x1, x, N, rng.key(s.uid, kSelfAttnOut),
                 cfg.p(cfg.dropout, rng));

    const T* in2 = residual_branch_input(ctx, p, s.ffn_ln, cfg, sv.r_ffn, x1, N);
    ffn_forward(ctx, p, s.ffn, cfg, sv.ffn, residual_branch_out(ctx, sv.r_ffn, N, C), in2, N,
                rng.key(s.uid, kFfnHidden), cfg.p(cfg.dropout_ffn, rng));
    residual_end(ctx, p, s.ffn_ln, cfg, sv.r_ffn, y, x1, N, rng.key(s.uid, kFfnOut),
                 cfg.p(cfg.dropout, rng));
}

template <typename T>
void encoder_layer_backward(const Context& ctx, Params<T>& p, const EncoderLayerSpec& s, const SublayerCfg& cfg,
                            const StepRng& rng, const EncoderLayerSaved<T>& sv,
                            LayerScratch<T>& ws, T* dx, const T* dy, const T* x,
                            const SeqShape& ss) {
    const int64_t N = ss.rows(), C = s.self_attn_ln.dim;
    const bool pre = is_pre_norm(cfg.scheme);
    T* dx1 = ensure(ctx, ws.dx1, N * C);
    T* dg = ensure(ctx, ws.dg, N * C);
    T* d_in = ensure(ctx, ws.d_in, N * C);
    const T* x1 = sv.x1.data();

    residual_end_backward(ctx, p, s.ffn_ln, cfg, sv.r_ffn, dx1, dg, dy, x1, N,
                          rng.key(s.uid, kFfnOut), cfg.p(cfg.dropout, rng));
    ffn_backward(ctx, p, s.ffn, cfg, sv.ffn, ws.ffn, d_in, dg, pre ? sv.r_ffn.u.data() : x1, N,
                 rng.key(s.uid, kFfnHidden), cfg.p(cfg.dropout_ffn, rng));
    residual_begin_backward(ctx, p, s.ffn_ln, cfg, sv.r_ffn, dx1, d_in, x1, N);

    residual_end_backward(ctx, p, s.self_attn_ln, cfg, sv.r_att, dx, dg, dx1, x, N,
                          rng.key(s.uid, kSelfAttnOut), cfg.p(cfg.dropout, rng));
    const T* in = pre ? sv.r_att.u.data() : x;
    attention_layer_backward(ctx, p, s.self_attn, cfg, sv.att, ws.att, d_in, d_in, dg, in, in, ss, ss,
                             false, rng.key(s.uid, kSelfAttnProbs),
                             cfg.p(cfg.dropout_attention, rng));
    residual_begin_backward(ctx, p, s.self_attn_ln, cfg, sv.r_att, dx, d_in, x, N);
}

#define DEEPNET_INSTANTIATE(T)                                                                 \
    template void encoder_layer_forward<T>(const Context&, const Params<T>&, const EncoderLayerSpec&,          \
                                           const SublayerCfg&, const StepRng&,                 \
                                           EncoderLayerSaved<T>&, T*, const T*,                \
                                           const SeqShape&);                                   \
    template void encoder_layer_backward<T>(const Context&, Params<T>&, const EncoderLayerSpec&,               \
                                            const SublayerCfg&, const StepRng&,                \
                                            const EncoderLayerSaved<T>&, LayerScratch<T>&, T*, \
                                            const T*, const T*, const SeqShape&);
DEEPNET_INSTANTIATE(float)
DEEPNET_INSTANTIATE(double)
#undef DEEPNET_INSTANTIATE

}  // namespace deepnet
