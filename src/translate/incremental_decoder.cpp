// Incremental encoder-decoder inference (see incremental_decoder.h).
#include "src/translate/incremental_decoder.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "kernels/fast_exp.h"
#include "src/core/error.h"
#include "src/model/deepnorm.h"
#include "src/translate/cached_attention.h"

namespace deepnet {

namespace {

const StepRng kInference{0, 0, false};

// Row-wise log_softmax in place: x -= max + log(sum exp(x - max)).
template <typename T>
void log_softmax_rows(T* x, int64_t N, int64_t V) {
#pragma omp parallel for schedule(static)
    for (int64_t n = 0; n < N; ++n) {
        T* r = x + n * V;
        T mx = -std::numeric_limits<T>::infinity(), sum = 0;
        if constexpr (std::is_same_v<T, float>) {  // vectorised exp, as in training
            mx = kernels::row_max(r, V);
            sum = kernels::row_exp_sums(r, V, mx).exp_sum;
        } else {
            for (int64_t v = 0; v < V; ++v) mx = std::max(mx, r[v]);
            for (int64_t v = 0; v < V; ++v) sum += std::exp(r[v] - mx);
        }
        const T lse = mx + std::log(sum);
#pragma omp simd
        for (int64_t v = 0; v < V; ++v) r[v] -= lse;
    }
}

}  // namespace

template <typename T>
IncrementalDecoder<T>::IncrementalDecoder(const Transformer<T>& model)
    : model_(model),
      cfg_(model.config()),
      spec_(model.spec()),
      enc_cfg_(sublayer_config(model.config(), false)),
      dec_cfg_(sublayer_config(model.config(), true)) {
    cross_k_.resize(size_t(cfg_.dec_depth));
    cross_v_.resize(size_t(cfg_.dec_depth));
    self_k_.resize(size_t(cfg_.dec_depth));
    self_v_.resize(size_t(cfg_.dec_depth));
}

template <typename T>
void IncrementalDecoder<T>::encode(const std::vector<std::vector<int64_t>>& sources) {
    const Params<T>& p = model_.params();
    const Batch b = make_batch(sources, {}, cfg_);
    B_ = b.B;
    S_ = b.S;
    src_len_ = b.src_len;
    const int64_t C = cfg_.dim_emb, N = B_ * S_;
    const SeqShape ss{B_, S_, src_len_.data()};
    T* x = ensure(enc_a_, N * C);
    T* y = ensure(enc_b_, N * C);
    embedding_layer_forward(p, spec_.src_embed, positions_, kInference, 0.0, x, b.src.data(),
                            b.src_pos.data(), N, S_);
    for (int64_t l = 0; l < cfg_.enc_depth; ++l) {
        encoder_layer_forward(p, spec_.enc[size_t(l)], enc_cfg_, kInference, enc_sv_, y, x, ss);
        std::swap(x, y);
    }
    T* enc = x;
    if (spec_.enc_final_ln.gamma >= 0) {
        enc = ensure(enc_out_, N * C);
        norm_fwd(p, spec_.enc_final_ln, enc, ensure(ln_mean_, N), ensure(ln_rstd_, N), x,
                 static_cast<const T*>(nullptr), 1.0, cfg_.layer_norm_eps, N);
    }
    for (int64_t l = 0; l < cfg_.dec_depth; ++l) {
        const AttentionSpec& ca = spec_.dec[size_t(l)].cross_attn;
        Buf<T>& k = cross_k_[size_t(l)];
        Buf<T>& v = cross_v_[size_t(l)];
        k.resize(size_t(N * C));
        v.resize(size_t(N * C));
        linear_fwd(p, ca.k, k.data(), enc, N);
        linear_fwd(p, ca.v, v.data(), enc, N);
    }
}

template <typename T>
void IncrementalDecoder<T>::start(const std::vector<std::vector<int64_t>>& sources) {
    DEEPNET_CHECK(!sources.empty(), "IncrementalDecoder::start: no sentences");
    encode(sources);
    t_ = 0;
    n_ = 0;
    for (auto& k : self_k_) k.clear();
    for (auto& v : self_v_) v.clear();
}

// ctx -> [inner LN] -> out_proj.
template <typename T>
void IncrementalDecoder<T>::attention_out(const AttentionSpec& s, T* out, const T* ctx,
                                          int64_t N) {
    const Params<T>& p = model_.params();
    const T* proj_in = ctx;
    if (s.has_inner_ln()) {
        T* ln = ensure(ctx_ln_, N * s.q.in);
        norm_fwd(p, s.inner_ln, ln, ensure(ln_mean_, N), ensure(ln_rstd_, N), ctx,
                 static_cast<const T*>(nullptr), 1.0, dec_cfg_.eps, N);
        proj_in = ln;
    }
    linear_fwd(p, s.out, out, proj_in, N);
}

template <typename T>
void IncrementalDecoder<T>::layer_step(int64_t l, T* y, const T* x) {
    const Params<T>& p = model_.params();
    const DecoderLayerSpec& s = spec_.dec[size_t(l)];
    const SublayerCfg& cfg = dec_cfg_;
    const int64_t N = n_, C = cfg_.dim_emb, H = cfg_.heads;
    T* q = ensure(q_, N * C);
    T* ctx = ensure(ctx_, N * C);

    // Self-attention over positions 0..t: append this step's keys/values, then attend.
    const T* in = residual_branch_input(p, s.self_attn_ln, cfg, res_, x, N);
    Buf<T>& kc = self_k_[size_t(l)];
    Buf<T>& vc = self_v_[size_t(l)];
    kc.resize(size_t((t_ + 1) * N * C));
    vc.resize(size_t((t_ + 1) * N * C));
    linear_fwd(p, s.self_attn.q, q, in, N);
    linear_fwd(p, s.self_attn.k, kc.data() + t_ * N * C, in, N);
    linear_fwd(p, s.self_attn.v, vc.data() + t_ * N * C, in, N);
    kernels::cpu::cached_attention_forward<T>(ctx, q, kc.data(), vc.data(), self_block_.data(),
                                              self_len_.data(), {N, H, C / H, C, C, C, N * C});
    attention_out(s.self_attn, residual_branch_out(res_, N, C), ctx, N);
    T* x1 = ensure(x1_, N * C);
    residual_end(p, s.self_attn_ln, cfg, res_, x1, x, N, 0, 0.0);

    // Cross-attention over the encoder output of each hypothesis' sentence.
    const T* in2 = residual_branch_input(p, s.cross_attn_ln, cfg, res_, x1, N);
    linear_fwd(p, s.cross_attn.q, q, in2, N);
    kernels::cpu::cached_attention_forward<T>(
        ctx, q, cross_k_[size_t(l)].data(), cross_v_[size_t(l)].data(), cross_block_.data(),
        cross_len_.data(), {N, H, C / H, C, C, S_ * C, C});
    attention_out(s.cross_attn, residual_branch_out(res_, N, C), ctx, N);
    T* x2 = ensure(x2_, N * C);
    residual_end(p, s.cross_attn_ln, cfg, res_, x2, x1, N, 0, 0.0);

    const T* in3 = residual_branch_input(p, s.ffn_ln, cfg, res_, x2, N);
    ffn_forward(p, s.ffn, cfg, ffn_, residual_branch_out(res_, N, C), in3, N, 0, 0.0);
    residual_end(p, s.ffn_ln, cfg, res_, y, x2, N, 0, 0.0);
}

template <typename T>
const T* IncrementalDecoder<T>::step(const std::vector<int64_t>& tokens,
                                     const std::vector<int64_t>& sentence) {
    const int64_t N = int64_t(tokens.size()), C = cfg_.dim_emb, V = cfg_.vocab_size;
    DEEPNET_CHECK(N > 0 && int64_t(sentence.size()) == N,
                  "step: " << N << " tokens but " << sentence.size() << " sentence indices");
    DEEPNET_CHECK(t_ == 0 || N == n_, "step: " << N << " hypotheses but the caches hold " << n_
                                               << "; call reorder() first");
    n_ = N;
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
    T* x = ensure(x_, N * C);
    T* y = ensure(y_, N * C);
    embedding_layer_forward(p, spec_.tgt_embed, positions_, kInference, 0.0, x, tokens.data(),
                            pos_.data(), N, t_ + 1);
    for (int64_t l = 0; l < cfg_.dec_depth; ++l) {
        layer_step(l, y, x);
        std::swap(x, y);
    }
    const T* top = x;
    if (spec_.dec_final_ln.gamma >= 0) {
        T* o = ensure(top_, N * C);
        norm_fwd(p, spec_.dec_final_ln, o, ensure(ln_mean_, N), ensure(ln_rstd_, N), x,
                 static_cast<const T*>(nullptr), 1.0, cfg_.layer_norm_eps, N);
        top = o;
    }
    T* logp = ensure(logp_, N * V);
    kernels::cpu::linear_forward<T>(logp, top, p.v(spec_.out_proj), static_cast<const T*>(nullptr),
                                    N, C, V, p.matmul);
    log_softmax_rows(logp, N, V);
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
    auto gather = [&](Buf<T>& cache) {
        gather_.resize(size_t(t_ * M * C));
        T* dst = gather_.data();
        const T* src = cache.data();
#pragma omp parallel for collapse(2) schedule(static)
        for (int64_t tau = 0; tau < t_; ++tau)
            for (int64_t i = 0; i < M; ++i)
                std::memcpy(dst + (tau * M + i) * C, src + (tau * N + parent[size_t(i)]) * C,
                            size_t(C) * sizeof(T));
        cache.swap(gather_);  // the old cache becomes the next gather's buffer
    };
    for (int64_t l = 0; l < cfg_.dec_depth; ++l) {
        gather(self_k_[size_t(l)]);
        gather(self_v_[size_t(l)]);
    }
}

template class IncrementalDecoder<float>;
template class IncrementalDecoder<double>;

}  // namespace deepnet
