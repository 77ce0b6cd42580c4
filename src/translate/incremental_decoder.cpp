// Incremental encoder-decoder inference (see incremental_decoder.h).
#include "src/translate/incremental_decoder.h"

#include "src/core/error.h"
#include "src/ops/elementwise.h"
#include "src/ops/log_softmax.h"

namespace deepnet {

namespace {
const StepRng kInference{0, 0, false};
}  // namespace

template <typename T>
IncrementalDecoder<T>::IncrementalDecoder(const Transformer<T>& model)
    : model_(model),
      cfg_(model.config()),
      spec_(model.spec()),
      dec_cfg_(sublayer_config(model.config(), true)),
      caches_(size_t(model.config().dec_depth)) {}

template <typename T>
void IncrementalDecoder<T>::start(const std::vector<std::vector<int64_t>>& sources) {
    DEEPNET_CHECK(!sources.empty(), "IncrementalDecoder::start: no sentences");
    const Batch b = make_batch(sources, {}, cfg_);
    B_ = b.B;
    S_ = b.S;
    src_len_ = b.src_len;
    enc_out_ = model_.encode(b, enc_);
    t_ = 0;
    n_ = 0;
    for (auto& c : caches_) {
        c.self.reset();
        c.cross.reset();
    }
}

// Where each hypothesis' keys sit: its own column of the time-major self-attention cache,
// its sentence's rows of the cross-attention keys (device pointers from step_indices_).
template <typename T>
void IncrementalDecoder<T>::set_cache_rows(int64_t N, const int64_t* self_block, const int64_t* self_len,
                                           const int64_t* cross_block, const int64_t* cross_len) {
    const int64_t C = cfg_.dim_emb;
    for (auto& c : caches_) {
        c.self.step = t_;
        c.self.kv_block = self_block;
        c.self.key_len = self_len;
        c.self.layout = {C, N * C};
        c.cross.kv_block = cross_block;
        c.cross.key_len = cross_len;
        c.cross.layout = {S_ * C, C};
    }
}

template <typename T>
const T* IncrementalDecoder<T>::step(const std::vector<int64_t>& tokens, const std::vector<int64_t>& sentence,
                                     bool normalize) {
    const int64_t N = int64_t(tokens.size()), C = cfg_.dim_emb, V = cfg_.vocab_size;
    DEEPNET_CHECK(N > 0 && int64_t(sentence.size()) == N,
                  "step: " << N << " tokens but " << sentence.size() << " sentence indices");
    DEEPNET_CHECK(t_ == 0 || N == n_, "step: " << N << " hypotheses but the caches hold " << n_
                                               << "; call reorder() first");
    n_ = N;
    const Context& ctx = model_.context();
    const Params<T>& p = model_.params();
    pos_.assign(size_t(N), t_);
    self_block_.resize(size_t(N));
    self_len_.assign(size_t(N), t_ + 1);
    cross_block_.resize(size_t(N));
    cross_len_.resize(size_t(N));
    for (int64_t n = 0; n < N; ++n) {
        const int64_t b = sentence[size_t(n)];
        DEEPNET_CHECK(b >= 0 && b < B_, "step: sentence index " << b << " out of range");
        self_block_[size_t(n)] = n;
        cross_block_[size_t(n)] = b;
        cross_len_[size_t(n)] = src_len_[size_t(b)];
    }
    const auto ix = step_indices_.place<7>(
        ctx.device, {&tokens, &pos_, &self_block_, &self_len_, &cross_block_, &cross_len_, &src_len_});
    set_cache_rows(N, ix[2], ix[3], ix[4], ix[5]);
    T* x = ensure(ctx, x_, N * C);
    T* y = ensure(ctx, y_, N * C);
    embedding_layer_forward(ctx, p, spec_.tgt_embed, positions_, kInference, 0.0, x, ix[0], ix[1], N, t_ + 1);
    const SeqShape ts{N, 1, nullptr}, ss{B_, S_, ix[6]};
    for (int64_t l = 0; l < cfg_.dec_depth; ++l) {
        decoder_layer_forward(ctx, p, spec_.dec[size_t(l)], dec_cfg_, kInference, saved_, y, x, enc_out_,
                              ts, ss, &caches_[size_t(l)]);
        std::swap(x, y);
    }
    const T* top = final_norm_forward(ctx, p, spec_.dec_final_ln, cfg_.layer_norm_eps, top_, ln_mean_,
                                      ln_rstd_, x, N);
    T* logp = ensure(ctx, logp_, N * V);
    ops::linear_forward(ctx, tv(ctx, logp, {N, V}), tv(ctx, top, {N, C}),
                        tv(ctx, p.v(spec_.out_proj), {V, C}), TensorView());
    if (normalize) ops::log_softmax_forward(ctx, tv(ctx, logp, {N, V}));
    ++t_;
    return logp;
}

template <typename T>
void IncrementalDecoder<T>::reorder(const std::vector<int64_t>& parent) {
    const int64_t M = int64_t(parent.size()), C = cfg_.dim_emb, N = n_;
    bool identity = M == N;
    for (int64_t i = 0; i < M; ++i) {
        DEEPNET_CHECK(parent[size_t(i)] >= 0 && parent[size_t(i)] < N,
                      "reorder: parent " << parent[size_t(i)] << " of " << N << " hypotheses");
        identity = identity && parent[size_t(i)] == i;
    }
    n_ = M;
    if (identity) return;  // greedy search and unchanged beams copy nothing
    const Context& ctx = model_.context();
    const int64_t* rows = parent_indices_.place<1>(ctx.device, {&parent})[0];
    auto gather = [&](Buf<T>& cache) {
        gather_.resize(ctx.device, t_ * M * C);
        ops::gather_rows(ctx, tv(ctx, gather_.data(), {t_, M, C}), tv(ctx, cache.data(), {t_, N, C}),
                         tv(ctx, rows, {M}));
        cache.swap(gather_);  // the old cache becomes the next gather's buffer
    };
    for (auto& c : caches_) {
        gather(c.self.k);
        gather(c.self.v);
    }
}

template class IncrementalDecoder<float>;
template class IncrementalDecoder<double>;

}  // namespace deepnet
