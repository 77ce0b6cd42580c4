// Helpers of the decoder tests: tiny model configs, references computed by full
// (training-path) recomputation with Transformer::forward, and a briefly trained tiny model
// (reverse-and-shift task) for tests where a random model's outputs would be meaningless.
#pragma once

#include <catch2/catch.hpp>
#include <omp.h>

#include <cmath>
#include <map>
#include <memory>
#include <random>
#include <vector>

#include "src/model/transformer.h"
#include "src/train/optimizer.h"
#include "src/translate/beam_search.h"

namespace deepnet::test {

using Ids = std::vector<int64_t>;

// Small enough for fast tests, big enough that heads, padding and masks all matter.
// Dropout is on, so a decoder that forgot to turn it off would fail.
inline ModelConfig decode_config(NormScheme norm, int64_t vocab = 19) {
    ModelConfig c;
    c.enc_depth = 2;
    c.dec_depth = 3;
    c.dim_emb = 16;
    c.heads = 4;
    c.dim_ffn = 24;
    c.vocab_size = vocab;
    c.norm = norm;
    c.activation = Activation::GELU;
    c.dropout = 0.2;
    c.dropout_attention = 0.1;
    c.dropout_ffn = 0.1;
    c.label_smoothing = 0.1;
    c.seed = 17;
    return c;
}

// log p(. | source, prefix) for each pair, by one full forward with teacher forcing: the
// rows (V) of the position after each prefix.
template <typename T>
std::vector<std::vector<double>> full_next_logprobs(Transformer<T>& m, const std::vector<Ids>& src,
                                                    const std::vector<Ids>& prefix) {
    const Batch b = make_batch(src, prefix, m.config());
    m.forward(b, StepRng{99, 3, false});
    const int64_t V = m.config().vocab_size;
    std::vector<std::vector<double>> out;
    for (int64_t i = 0; i < b.B; ++i) {
        const T* r = m.logits() + (i * b.T + int64_t(prefix[size_t(i)].size())) * V;
        double mx = -1e300, sum = 0;
        for (int64_t v = 0; v < V; ++v) mx = std::max(mx, double(r[v]));
        for (int64_t v = 0; v < V; ++v) sum += std::exp(double(r[v]) - mx);
        std::vector<double> row(static_cast<size_t>(V));
        for (int64_t v = 0; v < V; ++v) row[size_t(v)] = double(r[v]) - mx - std::log(sum);
        out.push_back(row);
    }
    return out;
}

// Greedy search written the obvious way: recompute the whole model for every new token.
// Same rules as beam_search: no <pad>/<s>/<unk>, </s> forced at the maximum length.
template <typename T>
Hypothesis greedy_by_recompute(Transformer<T>& m, const Ids& src, double max_length_factor) {
    const ModelConfig& c = m.config();
    const int64_t max_len = max_output_length(int64_t(src.size()) + 1, max_length_factor);
    Hypothesis h;
    for (;;) {
        const auto row = full_next_logprobs(m, {src}, {h.tokens})[0];
        int64_t best = c.eos_id;
        if (int64_t(h.tokens.size()) + 1 < max_len) {
            for (int64_t v = 0; v < c.vocab_size; ++v) {
                if (v == c.pad_id || v == c.bos_id || v == c.unk_id) continue;
                if (row[size_t(v)] > row[size_t(best)]) best = v;
            }
        }
        h.score += row[size_t(best)];
        if (best == c.eos_id) return h;
        h.tokens.push_back(best);
    }
}

// The task of the trained model: reverse the source and shift every token by one.
inline Ids reverse_shift(const Ids& s, int64_t vocab) {
    Ids t;
    for (auto it = s.rbegin(); it != s.rend(); ++it) t.push_back(4 + (*it - 4 + 1) % (vocab - 4));
    return t;
}

inline std::vector<Ids> task_sources(int count, uint64_t seed, int64_t vocab) {
    std::mt19937_64 g(seed);
    std::vector<Ids> out;
    for (int i = 0; i < count; ++i) {
        Ids s(size_t(2 + g() % 6));
        for (auto& x : s) x = 4 + int64_t(g() % uint64_t(vocab - 4));
        out.push_back(s);
    }
    return out;
}

// A tiny model trained for a few hundred Adam steps on 24 reverse-shift pairs; its
// predictions are peaked, so beam and greedy results are well separated. Trained once per
// norm scheme and kept for the whole test run.
inline Transformer<float>& trained_model(NormScheme norm) {
    static std::map<NormScheme, std::unique_ptr<Transformer<float>>> cache;
    auto& slot = cache[norm];
    if (slot) return *slot;
    ModelConfig c = decode_config(norm, 16);
    c.dim_emb = 32;
    c.dim_ffn = 64;
    c.dec_depth = 2;
    c.dropout = c.dropout_attention = c.dropout_ffn = 0;
    c.label_smoothing = 0;
    slot = std::make_unique<Transformer<float>>(c);
    Transformer<float>& m = *slot;
    m.init_parameters();
    const std::vector<Ids> src = task_sources(24, 5, c.vocab_size);
    std::vector<Ids> tgt;
    for (const auto& s : src) tgt.push_back(reverse_shift(s, c.vocab_size));
    const Batch b = make_batch(src, tgt, c);
    AdamW<float> opt(AdamConfig{0.9, 0.98, 1e-9, 0, 0});
    // One thread: this model is far too small to gain from more, and on a loaded machine
    // OpenMP barriers would make training 30x slower.
    const int threads = omp_get_max_threads();
    omp_set_num_threads(1);
    for (int step = 0; step < 300; ++step) {
        StepRng rng{c.seed, uint64_t(step), true};
        m.params().zero_grad();
        const LossStats st = m.forward(b, rng);
        m.backward(b, rng, 1.0 / double(st.tokens));
        opt.step(m.params(), 3e-3);
    }
    omp_set_num_threads(threads);
    return m;
}

}  // namespace deepnet::test
