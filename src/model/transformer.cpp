// Encoder-decoder Transformer: wiring of the layers, the recompute policy and the loss.
#include "src/model/transformer.h"

#include <algorithm>
#include <string>

#include "kernels/cross_entropy.h"
#include "src/core/error.h"
#include "src/model/deepnorm.h"
#include "src/model/model_limits.h"

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
    s.act = c.activation == Activation::GELU ? kernels::ActKind::GELU : kernels::ActKind::ReLU;
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
    m.src_embed = {src_table, C, c.pad_id, kSrcEmbedUid};
    m.tgt_embed = {tgt_table, C, c.pad_id, kTgtEmbedUid};
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
Transformer<T>::Transformer(const ModelConfig& cfg, ModelUse use) : cfg_(cfg), spec_(declare_model(cfg)) {
    enc_cfg_ = sublayer_config(cfg_, false);
    dec_cfg_ = sublayer_config(cfg_, true);
    params_.allocate(spec_.layout, use == ModelUse::Training);
    enc_x_.resize(size_t(cfg_.enc_depth + 1));
    dec_x_.resize(size_t(cfg_.dec_depth + 1));
    enc_saved_.resize(cfg_.recompute ? 1 : size_t(cfg_.enc_depth));
    dec_saved_.resize(cfg_.recompute ? 1 : size_t(cfg_.dec_depth));
}

template <typename T>
void Transformer<T>::init_parameters() {
    init_model_parameters(params_.value.data(), spec_.layout, cfg_);
    params_.zero_grad();
}

template <typename T>
void Transformer<T>::encode(const Batch& b, const StepRng& rng) {
    const int64_t C = cfg_.dim_emb, N = b.B * b.S;
    const SeqShape ss{b.B, b.S, b.src_len.data()};
    for (auto& x : enc_x_) ensure(x, N * C);
    embedding_layer_forward(params_, spec_.src_embed, positions_, rng, cfg_.dropout,
                            enc_x_[0].data(), b.src.data(), b.src_pos.data(), N, b.S);
    for (int64_t l = 0; l < cfg_.enc_depth; ++l) {
        auto& sv = enc_saved_[cfg_.recompute ? 0 : size_t(l)];
        encoder_layer_forward(params_, spec_.enc[size_t(l)], enc_cfg_, rng, sv,
                              enc_x_[size_t(l + 1)].data(), enc_x_[size_t(l)].data(), ss);
    }
    const T* top = enc_x_.back().data();
    if (spec_.enc_final_ln.gamma >= 0) {
        norm_fwd(params_, spec_.enc_final_ln, ensure(enc_out_, N * C), ensure(enc_ln_mean_, N),
                 ensure(enc_ln_rstd_, N), top, static_cast<const T*>(nullptr), 1.0,
                 cfg_.layer_norm_eps, N);
    } else {
        std::copy(top, top + N * C, ensure(enc_out_, N * C));
    }
}

template <typename T>
void Transformer<T>::decode(const Batch& b, const StepRng& rng) {
    const int64_t C = cfg_.dim_emb, N = b.B * b.T;
    const SeqShape ts{b.B, b.T, b.tgt_len.data()}, ss{b.B, b.S, b.src_len.data()};
    for (auto& x : dec_x_) ensure(x, N * C);
    embedding_layer_forward(params_, spec_.tgt_embed, positions_, rng, cfg_.dropout,
                            dec_x_[0].data(), b.tgt_in.data(), b.tgt_pos.data(), N, b.T);
    for (int64_t l = 0; l < cfg_.dec_depth; ++l) {
        auto& sv = dec_saved_[cfg_.recompute ? 0 : size_t(l)];
        decoder_layer_forward(params_, spec_.dec[size_t(l)], dec_cfg_, rng, sv,
                              dec_x_[size_t(l + 1)].data(), dec_x_[size_t(l)].data(),
                              enc_out_.data(), ts, ss);
    }
    const T* top = dec_x_.back().data();
    if (spec_.dec_final_ln.gamma >= 0) {
        norm_fwd(params_, spec_.dec_final_ln, ensure(dec_out_, N * C), ensure(dec_ln_mean_, N),
                 ensure(dec_ln_rstd_, N), top, static_cast<const T*>(nullptr), 1.0,
                 cfg_.layer_norm_eps, N);
    } else {
        std::copy(top, top + N * C, ensure(dec_out_, N * C));
    }
}

template <typename T>
LossStats Transformer<T>::forward(const Batch& b, const StepRng& rng) {
    DEEPNET_CHECK(b.T > 0 && b.S > 0, "forward: empty batch");
    encode(b, rng);
    decode(b, rng);
    const int64_t N = b.B * b.T, V = cfg_.vocab_size, C = cfg_.dim_emb;
    T* logits = ensure(logits_, N * V);
    kernels::cpu::linear_forward<T>(logits, dec_out_.data(), params_.v(spec_.out_proj),
                                    static_cast<const T*>(nullptr), N, C, V, params_.matmul);
    kernels::cpu::cross_entropy_forward<T>(ensure(loss_rows_, N), ensure(nll_rows_, N),
                                           ensure(lse_, N), logits, b.tgt_out.data(),
                                           T(cfg_.label_smoothing), N, V);
    LossStats st;
    for (int64_t n = 0; n < N; ++n) {
        st.loss += double(loss_rows_[size_t(n)]);
        st.nll += double(nll_rows_[size_t(n)]);
    }
    st.tokens = b.target_tokens;
    return st;
}

template <typename T>
void Transformer<T>::backward(const Batch& b, const StepRng& rng, double grad_scale,
                              const GradReadyHook& hook) {
    const int64_t N = b.B * b.T, V = cfg_.vocab_size, C = cfg_.dim_emb;
    T* dlogits = logits_.data();  // in place: no second (N, V) buffer
    kernels::cpu::cross_entropy_backward<T>(dlogits, logits_.data(), lse_.data(),
                                            b.tgt_out.data(), T(cfg_.label_smoothing),
                                            T(grad_scale), N, V);
    T* d_dec_out = ensure(grad_a_, N * C);
    kernels::cpu::linear_backward<T>(d_dec_out, params_.g(spec_.out_proj),
                                     static_cast<T*>(nullptr), dlogits, dec_out_.data(),
                                     params_.v(spec_.out_proj), N, C, V, false, params_.matmul);
    backward_decoder(b, rng, d_dec_out, hook);
    backward_encoder(b, rng, hook);
}

template <typename T>
void Transformer<T>::backward_decoder(const Batch& b, const StepRng& rng, T* d_top,
                                      const GradReadyHook& hook) {
    const int64_t C = cfg_.dim_emb, N = b.B * b.T, Ns = b.B * b.S;
    const SeqShape ts{b.B, b.T, b.tgt_len.data()}, ss{b.B, b.S, b.src_len.data()};
    T* dy = d_top;
    T* dx = ensure(grad_b_, N * C);
    if (spec_.dec_final_ln.gamma >= 0)
        norm_bwd(params_, spec_.dec_final_ln, dy, static_cast<T*>(nullptr), dy,
                 dec_x_.back().data(), static_cast<const T*>(nullptr), dec_ln_mean_.data(),
                 dec_ln_rstd_.data(), 1.0, N);
    T* denc = ensure(d_enc_, Ns * C);
    std::fill(denc, denc + Ns * C, T(0));
    for (int64_t l = cfg_.dec_depth - 1; l >= 0; --l) {
        auto& sv = dec_saved_[cfg_.recompute ? 0 : size_t(l)];
        const T* x = dec_x_[size_t(l)].data();
        if (cfg_.recompute)
            decoder_layer_forward(params_, spec_.dec[size_t(l)], dec_cfg_, rng, sv,
                                  ensure(recompute_out_, N * C), x, enc_out_.data(), ts, ss);
        decoder_layer_backward(params_, spec_.dec[size_t(l)], dec_cfg_, rng, sv, scratch_, dx,
                               denc, dy, x, enc_out_.data(), ts, ss);
        if (hook) hook(spec_.dec_ranges[size_t(l)].first, spec_.dec_ranges[size_t(l)].second);
        std::swap(dx, dy);
    }
    embedding_layer_backward(params_, spec_.tgt_embed, rng, cfg_.dropout, dy, b.tgt_in.data(), N);
}

template <typename T>
void Transformer<T>::backward_encoder(const Batch& b, const StepRng& rng, const GradReadyHook& hook) {
    const int64_t C = cfg_.dim_emb, N = b.B * b.S;
    const SeqShape ss{b.B, b.S, b.src_len.data()};
    T* dy = d_enc_.data();
    if (spec_.enc_final_ln.gamma >= 0)
        norm_bwd(params_, spec_.enc_final_ln, dy, static_cast<T*>(nullptr), dy,
                 enc_x_.back().data(), static_cast<const T*>(nullptr), enc_ln_mean_.data(),
                 enc_ln_rstd_.data(), 1.0, N);
    T* dx = ensure(grad_b_, N * C);
    for (int64_t l = cfg_.enc_depth - 1; l >= 0; --l) {
        auto& sv = enc_saved_[cfg_.recompute ? 0 : size_t(l)];
        const T* x = enc_x_[size_t(l)].data();
        if (cfg_.recompute)
            encoder_layer_forward(params_, spec_.enc[size_t(l)], enc_cfg_, rng, sv,
                                  ensure(recompute_out_, N * C), x, ss);
        encoder_layer_backward(params_, spec_.enc[size_t(l)], enc_cfg_, rng, sv, scratch_, dx, dy,
                               x, ss);
        if (hook) hook(spec_.enc_ranges[size_t(l)].first, spec_.enc_ranges[size_t(l)].second);
        std::swap(dx, dy);
    }
    embedding_layer_backward(params_, spec_.src_embed, rng, cfg_.dropout, dy, b.src.data(), N);
}

template class Transformer<float>;
template class Transformer<double>;

}  // namespace deepnet
