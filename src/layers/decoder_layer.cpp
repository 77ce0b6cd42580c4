// Decoder layer: causal self-attention + cross-attention + FFN residual sublayers.
#include "src/layers/decoder_layer.h"

namespace deepnet {

DecoderLayerSpec declare_decoder_layer(ParamLayout& layout, const std::string& prefix, int64_t C,
                                       int64_t F, NormScheme scheme, int64_t uid) {
    const bool subln = scheme == NormScheme::SubLN;
    DecoderLayerSpec s;
    s.uid = uid;
    s.self_attn = declare_attention(layout, prefix + "self_attn", C, subln);
    s.self_attn_ln = declare_norm(layout, prefix + "self_attn_layer_norm", C);
    // Magneto puts the extra LayerNorm in self-attention only (torchscale does the same).
    s.cross_attn = declare_attention(layout, prefix + "encoder_attn", C, false);
    s.cross_attn_ln = declare_norm(layout, prefix + "encoder_attn_layer_norm", C);
    s.ffn = declare_ffn(layout, prefix, C, F, subln);
    s.ffn_ln = declare_norm(layout, prefix + "final_layer_norm", C);
    return s;
}

template <typename T>
void decoder_layer_forward(const Context& ctx, const Params<T>& p, const DecoderLayerSpec& s,
                           const SublayerCfg& cfg, const StepRng& rng, DecoderLayerSaved<T>& sv,
                           T* y, const T* x, const T* enc, const SeqShape& ts, const SeqShape& ss,
                           DecoderLayerCache<T>* cache) {
    const int64_t N = ts.rows(), C = s.self_attn_ln.dim;
    const double drop = cfg.p(cfg.dropout, rng), drop_att = cfg.p(cfg.dropout_attention, rng);

    const T* in = residual_branch_input(ctx, p, s.self_attn_ln, cfg, sv.r_self, x, N);
    attention_layer_forward(ctx, p, s.self_attn, cfg, sv.self_att, residual_branch_out(ctx, sv.r_self, N, C),
                            in, in, ts, ts, true, rng.key(s.uid, kSelfAttnProbs), drop_att,
                            cache ? &cache->self : nullptr);
    T* x1 = ensure(ctx, sv.x1, N * C);
    residual_end(ctx, p, s.self_attn_ln, cfg, sv.r_self, x1, x, N, rng.key(s.uid, kSelfAttnOut), drop);

    const T* in2 = residual_branch_input(ctx, p, s.cross_attn_ln, cfg, sv.r_cross, x1, N);
    attention_layer_forward(ctx, p, s.cross_attn, cfg, sv.cross_att,
                            residual_branch_out(ctx, sv.r_cross, N, C), in2, enc, ts, ss, false,
                            rng.key(s.uid, kCrossAttnProbs), drop_att, cache ? &cache->cross : nullptr);
    T* x2 = ensure(ctx, sv.x2, N * C);
    residual_end(ctx, p, s.cross_attn_ln, cfg, sv.r_cross, x2, x1, N, rng.key(s.uid, kCrossAttnOut),
                 drop);

    const T* in3 = residual_branch_input(ctx, p, s.ffn_ln, cfg, sv.r_ffn, x2, N);
    ffn_forward(ctx, p, s.ffn, cfg, sv.ffn, residual_branch_out(ctx, sv.r_ffn, N, C), in3, N,
                rng.key(s.uid, kFfnHidden), cfg.p(cfg.dropout_ffn, rng));
    residual_end(ctx, p, s.ffn_ln, cfg, sv.r_ffn, y, x2, N, rng.key(s.uid, kFfnOut), drop);
}

template <typename T>
void decoder_layer_backward(const Context& ctx, Params<T>& p, const DecoderLayerSpec& s, const SublayerCfg& cfg,
                            const StepRng& rng, const DecoderLayerSaved<T>& sv,
                            LayerScratch<T>& ws, T* dx, T* denc, const T* dy, const T* x,
                            const T* enc, const SeqShape& ts, const SeqShape& ss) {
    const int64_t N = ts.rows(), C = s.self_attn_ln.dim;
    const bool pre = is_pre_norm(cfg.scheme);
    const double drop = cfg.p(cfg.dropout, rng), drop_att = cfg.p(cfg.dropout_attention, rng);
    T* dx1 = ensure(ctx, ws.dx1, N * C);
    T* dx2 = ensure(ctx, ws.dx2, N * C);
    T* dg = ensure(ctx, ws.dg, N * C);
    T* d_in = ensure(ctx, ws.d_in, N * C);
    const T* x1 = sv.x1.data();
    const T* x2 = sv.x2.data();

    residual_end_backward(ctx, p, s.ffn_ln, cfg, sv.r_ffn, dx2, dg, dy, x2, N, rng.key(s.uid, kFfnOut),
                          drop);
    ffn_backward(ctx, p, s.ffn, cfg, sv.ffn, ws.ffn, d_in, dg, pre ? sv.r_ffn.u.data() : x2, N,
                 rng.key(s.uid, kFfnHidden), cfg.p(cfg.dropout_ffn, rng));
    residual_begin_backward(ctx, p, s.ffn_ln, cfg, sv.r_ffn, dx2, d_in, x2, N);

    residual_end_backward(ctx, p, s.cross_attn_ln, cfg, sv.r_cross, dx1, dg, dx2, x1, N,
                          rng.key(s.uid, kCrossAttnOut), drop);
    attention_layer_backward(ctx, p, s.cross_attn, cfg, sv.cross_att, ws.att, d_in, denc, dg,
                             pre ? sv.r_cross.u.data() : x1, enc, ts, ss, false,
                             rng.key(s.uid, kCrossAttnProbs), drop_att);
    residual_begin_backward(ctx, p, s.cross_attn_ln, cfg, sv.r_cross, dx1, d_in, x1, N);

    residual_end_backward(ctx, p, s.self_attn_ln, cfg, sv.r_self, dx, dg, dx1, x, N,
                          rng.key(s.uid, kSelfAttnOut), drop);
    const T* in = pre ? sv.r_self.u.data() : x;
    attention_layer_backward(ctx, p, s.self_attn, cfg, sv.self_att, ws.att, d_in, d_in, dg, in, in, ts,
                             ts, true, rng.key(s.uid, kSelfAttnProbs), drop_att);
    residual_begin_backward(ctx, p, s.self_attn_ln, cfg, sv.r_self, dx, d_in, x, N);
}

#define DEEPNET_INSTANTIATE(T)                                                                 \
    template void decoder_layer_forward<T>(const Context&, const Params<T>&, const DecoderLayerSpec&,          \
                                           const SublayerCfg&, const StepRng&,                 \
                                           DecoderLayerSaved<T>&, T*, const T*, const T*,      \
                                           const SeqShape&, const SeqShape&, DecoderLayerCache<T>*);                  \
    template void decoder_layer_backward<T>(const Context&, Params<T>&, const DecoderLayerSpec&,               \
                                            const SublayerCfg&, const StepRng&,                \
                                            const DecoderLayerSaved<T>&, LayerScratch<T>&, T*, \
                                            T*, const T*, const T*, const T*, const SeqShape&, \
                                            const SeqShape&);
DEEPNET_INSTANTIATE(float)
DEEPNET_INSTANTIATE(double)
#undef DEEPNET_INSTANTIATE

}  // namespace deepnet
