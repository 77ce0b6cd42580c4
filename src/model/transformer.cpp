// Encoder-decoder Transformer: wiring of the layers, the recompute policy and the loss.
#include "src/model/transformer.h"

#include <algorithm>
#include <string>

#include "src/core/error.h"
#include "src/model/deepnorm.h"
#include "src/model/model_limits.h"
#include "src/ops/cross_entropy.h"
#include "src/ops/elementwise.h"

namespace deepnet {
namespace {

// Dropout-key ids of the embedding stages; layers use their index (decoder offset by 2^20).
constexpr int64_t kDecoderUidBase = int64_t(1) << 20;
constexpr int64_t kSrcEmbedUid = int64_t(1) << 40;
constexpr int64_t kTgtEmbedUid = kSrcEmbedUid + 1;

}  // namespace

SublayerCfg sublayer_config(const ModelConfig& c, bool decoder) {
    const ResidualConstants rc = resolve_residual_constants(c);
    SublayerCfg s;
    s.scheme = c.norm;
    s.alpha = c.norm == NormScheme::DeepNorm ? (decoder ? rc.alpha_dec : rc.alpha_enc) : 1.0;
    s.dropout = c.dropout;
    s.dropout_attention = c.dropout_attention;
    s.dropout_ffn = c.dropout_ffn;
    s.eps = c.layer_norm_eps;
    s.act = c.activation == Activation::GELU ? ops::ActKind::GELU : ops::ActKind::ReLU;
    s.heads = c.heads;
    return s;
}

ModelSpec declare_model(const ModelConfig& c) {
    check_model_config(c, "the model options");
    ModelSpec m;
    const int64_t C = c.dim_emb, F = c.dim_ffn, V = c.vocab_size;
    const int64_t src_table = m.layout.add("encoder.embed_tokens.weight", {V, C});
    const int64_t tgt_table =
        c.tied_embeddings_all ? src_table : m.layout.add("decoder.embed_tokens.weight", {V, C});
    m.src_embed = {src_table, C, V, c.pad_id, kSrcEmbedUid};
    m.tgt_embed = {tgt_table, C, V, c.pad_id, kTgtEmbedUid};
    for (int64_t i = 0; i < c.enc_depth; ++i) {
        const int64_t begin = m.layout.total();
        m.enc.push_back(declare_encoder_layer(m.layout, "encoder.layers." + std::to_string(i) + ".",
                                              C, F, c.norm, i));
        m.enc_ranges.emplace_back(begin, m.layout.total());
    }
    const bool final_ln = is_pre_norm(c.norm);
    if (final_ln) m.enc_final_ln = declare_norm(m.layout, "encoder.layer_norm", C);
    for (int64_t i = 0; i < c.dec_depth; ++i) {
        const int64_t begin = m.layout.total();
        m.dec.push_back(declare_decoder_layer(m.layout, "decoder.layers." + std::to_string(i) + ".",
                                              C, F, c.norm, kDecoderUidBase + i));
        m.dec_ranges.emplace_back(begin, m.layout.total());
    }
    if (final_ln) m.dec_final_ln = declare_norm(m.layout, "decoder.layer_norm", C);
    const bool tied_out = c.tied_embeddings || c.tied_embeddings_all;
    m.out_proj = tied_out ? tgt_table : m.layout.add("decoder.output_projection.weight", {V, C});
    return m;
}

template <typename T>
const T* final_norm_forward(const Context& ctx, const Params<T>& p, const NormSpec& ln, double eps,
                            Buf<T>& out, Buf<T>& mean, Buf<T>& rstd, const T* top, int64_t N) {
    if (ln.gamma < 0) return top;
    T* y = ensure(ctx, out, N * ln.dim);
    norm_fwd(ctx, p, ln, y, ensure(ctx, mean, N), ensure(ctx, rstd, N), top, static_cast<const T*>(nullptr),
             1.0, eps, N);
    return y;
}

template <typename T>
Transformer<T>::Transformer(const ModelConfig& cfg, ModelUse use, const Context& ctx)
    : cfg_(cfg), spec_(declare_model(cfg)), ctx_(ctx) {
    enc_cfg_ = sublayer_config(cfg_, false);
    dec_cfg_ = sublayer_config(cfg_, true);
    params_.allocate(spec_.layout, use == ModelUse::Training, ctx_.device);
    xs_[0].resize(size_t(cfg_.enc_depth + 1));
    xs_[1].resize(size_t(cfg_.dec_depth + 1));
    enc_saved_.resize(cfg_.recompute ? 1 : size_t(cfg_.enc_depth));
    dec_saved_.resize(cfg_.recompute ? 1 : size_t(cfg_.dec_depth));
}

template <typename T>
void Transformer<T>::init_parameters() {
    if (ctx_.device.kind == DeviceKind::CPU) {
        init_model_parameters(params_.value.data(), spec_.layout, cfg_);
    } else {  // the same values, drawn on the host
        std::vector<T> host(params_.value.size());
        init_model_parameters(host.data(), spec_.layout, cfg_);
        params_.value.assign(host);
    }
    if (!params_.grad.empty()) params_.zero_grad();
}

// Embedding -> layers -> [closing LayerNorm]. layer(l, y, x) runs layer l from x into y;
// xs_[s][l] keeps every layer's input for backward.
template <typename T>
template <typename Layer>
const T* Transformer<T>::forward_stack(int s, const StepRng& rng, const int64_t* tokens,
                                       const int64_t* positions, int64_t B, int64_t L, Layer&& layer) {
    const int64_t C = cfg_.dim_emb, N = B * L;
    std::vector<Buf<T>>& xs = xs_[s];
    const EmbeddingSpec& embed = s == kEncoder ? spec_.src_embed : spec_.tgt_embed;
    const NormSpec& final_ln = s == kEncoder ? spec_.enc_final_ln : spec_.dec_final_ln;
    for (auto& x : xs) ensure(ctx_, x, N * C);
    embedding_layer_forward(ctx_, params_, embed, positions_, rng, cfg_.dropout, xs[0].data(), tokens,
                            positions, N, L);
    for (size_t l = 0; l + 1 < xs.size(); ++l) layer(int64_t(l), xs[l + 1].data(), xs[l].data());
    return final_norm_forward(ctx_, params_, final_ln, cfg_.layer_norm_eps, ln_out_[s], ln_mean_[s],
                              ln_rstd_[s], xs.back().data(), N);
}

template <typename T>
LossStats Transformer<T>::forward(const Batch& b, const StepRng& rng) {
    DEEPNET_CHECK(b.T > 0 && b.S > 0, "forward: empty batch");
    const BatchIndices ix = batch_upload_.place(ctx_.device, b, cfg_.vocab_size);
    const SeqShape ts{b.B, b.T, ix.tgt_len}, ss{b.B, b.S, ix.src_len};
    const bool rc = cfg_.recompute;
    const double eps = cfg_.layer_norm_eps;
    if (ln_inputs_) *ln_inputs_ = {std::vector<std::vector<double>>(size_t(cfg_.enc_depth)),
                                   std::vector<std::vector<double>>(size_t(cfg_.dec_depth))};
    enc_out_ = forward_stack(kEncoder, rng, ix.src, ix.src_pos,
                             b.B, b.S, [&](int64_t l, T* y, const T* x) {
        auto& sv = enc_saved_[rc ? 0 : size_t(l)];
        encoder_layer_forward(ctx_, params_, spec_.enc[size_t(l)], enc_cfg_, rng, sv, y, x, ss);
        if (ln_inputs_)
            ln_inputs_->encoder[size_t(l)] = {layer_norm_input_rms(sv.r_att, eps, b.src_len, b.S),
                                              layer_norm_input_rms(sv.r_ffn, eps, b.src_len, b.S)};
    });
    dec_out_ = forward_stack(kDecoder, rng, ix.tgt_in, ix.tgt_pos,
                             b.B, b.T, [&](int64_t l, T* y, const T* x) {
        auto& sv = dec_saved_[rc ? 0 : size_t(l)];
        decoder_layer_forward(ctx_, params_, spec_.dec[size_t(l)], dec_cfg_, rng, sv, y, x, enc_out_, ts, ss);
        if (ln_inputs_)
            ln_inputs_->decoder[size_t(l)] = {layer_norm_input_rms(sv.r_self, eps, b.tgt_len, b.T),
                                              layer_norm_input_rms(sv.r_cross, eps, b.tgt_len, b.T),
                                              layer_norm_input_rms(sv.r_ffn, eps, b.tgt_len, b.T)};
    });
    const int64_t N = b.B * b.T, V = cfg_.vocab_size, C = cfg_.dim_emb;
    logits_ = ensure(ctx_, logits_buf_, N * V);
    ops::linear_forward(ctx_, tv(ctx_, logits_, {N, V}), tv(ctx_, dec_out_, {N, C}),
                        tv(ctx_, params_.v(spec_.out_proj), {V, C}), TensorView());
    ops::cross_entropy_forward(ctx_, tv(ctx_, ensure(ctx_, loss_rows_, N), {N}), tv(ctx_, ensure(ctx_, nll_rows_, N), {N}),
                               tv(ctx_, ensure(ctx_, lse_, N), {N}), tv(ctx_, logits_, {N, V}),
                               tv(ctx_, ix.tgt_out, {N}), cfg_.label_smoothing);
    const ops::LossSums sums = ops::loss_sums(ctx_, tv(ctx_, loss_rows_.data(), {N}), tv(ctx_, nll_rows_.data(), {N}));
    return LossStats{sums.loss, sums.nll, b.target_tokens};
}

template <typename T>
void Transformer<T>::backward(const Batch& b, const StepRng& rng, double grad_scale,
                              const GradReadyHook& hook) {
    const int64_t N = b.B * b.T, Ns = b.B * b.S, V = cfg_.vocab_size, C = cfg_.dim_emb;
    const BatchIndices ix = batch_upload_.place(ctx_.device, b, cfg_.vocab_size);  // b may be another object
    const SeqShape ts{b.B, b.T, ix.tgt_len}, ss{b.B, b.S, ix.src_len};
    const bool rc = cfg_.recompute;
    T* dlogits = logits_;  // in place: no second (N, V) buffer
    ops::cross_entropy_backward(ctx_, tv(ctx_, dlogits, {N, V}), tv(ctx_, logits_, {N, V}),
                                tv(ctx_, lse_.data(), {N}), tv(ctx_, ix.tgt_out, {N}),
                                cfg_.label_smoothing, grad_scale);
    T* d_dec_out = ensure(ctx_, grad_a_, N * C);
    ops::linear_backward(ctx_, tv(ctx_, d_dec_out, {N, C}), tv(ctx_, params_.g(spec_.out_proj), {V, C}),
                         TensorView(), tv(ctx_, dlogits, {N, V}), tv(ctx_, dec_out_, {N, C}),
                         tv(ctx_, params_.v(spec_.out_proj), {V, C}));
    T* denc = ensure(ctx_, d_enc_, Ns * C);
    ops::fill(ctx_, tv(ctx_, denc, {Ns * C}), 0.0);
    backward_stack(kDecoder, rng, ix.tgt_in, d_dec_out, N, hook, [&](int64_t l, T* dx, const T* dy, const T* x) {
        auto& sv = dec_saved_[rc ? 0 : size_t(l)];
        const DecoderLayerSpec& s = spec_.dec[size_t(l)];
        if (rc) decoder_layer_forward(ctx_, params_, s, dec_cfg_, rng, sv, recompute_buffer(N * C), x, enc_out_, ts, ss);
        decoder_layer_backward(ctx_, params_, s, dec_cfg_, rng, sv, scratch_, dx, denc, dy, x, enc_out_, ts, ss);
    });
    backward_stack(kEncoder, rng, ix.src, denc, Ns, hook, [&](int64_t l, T* dx, const T* dy, const T* x) {
        auto& sv = enc_saved_[rc ? 0 : size_t(l)];
        const EncoderLayerSpec& s = spec_.enc[size_t(l)];
        if (rc) encoder_layer_forward(ctx_, params_, s, enc_cfg_, rng, sv, recompute_buffer(Ns * C), x, ss);
        encoder_layer_backward(ctx_, params_, s, enc_cfg_, rng, sv, scratch_, dx, dy, x, ss);
    });
}

// Closing LayerNorm backward (in place on d_top), then the layers top down (layer(l, dx, dy,
// x) overwrites dx), each followed by the hook with its parameter range, then the embedding.
template <typename T>
template <typename Layer>
void Transformer<T>::backward_stack(int s, const StepRng& rng, const int64_t* tokens, T* d_top,
                                    int64_t N, const GradReadyHook& hook, Layer&& layer) {
    const std::vector<Buf<T>>& xs = xs_[s];
    const NormSpec& final_ln = s == kEncoder ? spec_.enc_final_ln : spec_.dec_final_ln;
    const auto& ranges = s == kEncoder ? spec_.enc_ranges : spec_.dec_ranges;
    T* dy = d_top;
    if (final_ln.gamma >= 0)
        norm_bwd(ctx_, params_, final_ln, dy, static_cast<T*>(nullptr), dy, xs.back().data(),
                 static_cast<const T*>(nullptr), ln_mean_[s].data(), ln_rstd_[s].data(), 1.0, N);
    T* dx = ensure(ctx_, grad_b_, N * cfg_.dim_emb);
    for (int64_t l = int64_t(ranges.size()) - 1; l >= 0; --l) {
        layer(l, dx, dy, xs[size_t(l)].data());
        if (hook) hook(ranges[size_t(l)].first, ranges[size_t(l)].second);
        std::swap(dx, dy);
    }
    embedding_layer_backward(ctx_, params_, s == kEncoder ? spec_.src_embed : spec_.tgt_embed, rng,
                             cfg_.dropout, dy, tokens, N);
}

template <typename T>
void Transformer<T>::release_activations() {
    for (auto& stack : xs_)
        for (Buf<T>& x : stack) x = Buf<T>();
    for (int s = 0; s < 2; ++s) ln_mean_[s] = Buf<T>(), ln_rstd_[s] = Buf<T>(), ln_out_[s] = Buf<T>();
    for (auto& sv : enc_saved_) sv = EncoderLayerSaved<T>();
    for (auto& sv : dec_saved_) sv = DecoderLayerSaved<T>();
    scratch_ = LayerScratch<T>();
    positions_ = PositionTable<T>();
    for (Buf<T>* b : {&logits_buf_, &loss_rows_, &nll_rows_, &lse_, &grad_a_, &grad_b_, &d_enc_, &recompute_out_})
        *b = Buf<T>();
    batch_upload_ = BatchUpload();
    enc_out_ = dec_out_ = logits_ = nullptr;
}

template <typename T>
const T* Transformer<T>::encode(const Batch& b, EncoderWorkspace<T>& ws) const {
    const StepRng inference{0, 0, false};
    const int64_t C = cfg_.dim_emb, N = b.B * b.S;
    const BatchIndices ix = ws.upload.place(ctx_.device, b, cfg_.vocab_size);
    const SeqShape ss{b.B, b.S, ix.src_len};
    T* x = ensure(ctx_, ws.a, N * C);
    T* y = ensure(ctx_, ws.b, N * C);
    embedding_layer_forward(ctx_, params_, spec_.src_embed, ws.positions, inference, 0.0, x, ix.src, ix.src_pos, N,
                            b.S);
    for (int64_t l = 0; l < cfg_.enc_depth; ++l) {
        encoder_layer_forward(ctx_, params_, spec_.enc[size_t(l)], enc_cfg_, inference, ws.saved, y, x, ss);
        std::swap(x, y);
    }
    return final_norm_forward(ctx_, params_, spec_.enc_final_ln, cfg_.layer_norm_eps, ws.out, ws.ln_mean,
                              ws.ln_rstd, x, N);
}

template const float* final_norm_forward<float>(const Context&, const Params<float>&, const NormSpec&,
                                                double, Buf<float>&, Buf<float>&, Buf<float>&,
                                                const float*, int64_t);
template const double* final_norm_forward<double>(const Context&, const Params<double>&, const NormSpec&,
                                                  double, Buf<double>&, Buf<double>&, Buf<double>&,
                                                  const double*, int64_t);
template class Transformer<float>;
template class Transformer<double>;

}  // namespace deepnet
