// Shared by the benchmark programs: a wall clock, repeated timing, and the benchmark shape
// of the foundation issue (6+6 layers, d=256, 4 heads, FFN 1024, vocab 8000, 64 x 32).
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>

#include "src/model/model_config.h"

namespace deepnet::bench {

inline double now_seconds() {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

// Runs fn until at least min_seconds have passed (after one warm-up call); seconds per call.
inline double time_per_call(const std::function<void()>& fn, double min_seconds = 1.0) {
    fn();
    int calls = 0;
    const double t0 = now_seconds();
    double t = 0;
    do {
        fn();
        ++calls;
        t = now_seconds() - t0;
    } while (t < min_seconds);
    return t / calls;
}

inline ModelConfig benchmark_config() {
    ModelConfig c;
    c.enc_depth = 6;
    c.dec_depth = 6;
    c.dim_emb = 256;
    c.heads = 4;
    c.dim_ffn = 1024;
    c.vocab_size = 8000;
    c.norm = NormScheme::DeepNorm;
    c.dropout = 0.1;
    c.label_smoothing = 0.1;
    return c;
}
constexpr int64_t kBenchSentences = 64, kBenchLength = 32;

// Matrix-multiply FLOPs of one forward pass (projections, FFN, logits, attention scores and
// weighted sums) for B sentences of S source and T target tokens. Backward costs twice that.
inline double forward_matmul_flops(const ModelConfig& c, int64_t B, int64_t S, int64_t T) {
    const double C = double(c.dim_emb), F = double(c.dim_ffn), V = double(c.vocab_size);
    const double Ns = double(B * S), Nt = double(B * T);
    const double enc = 4 * 2 * Ns * C * C + 2 * 2 * Ns * C * F + 2 * 2 * double(B) * S * S * C;
    const double dec_self = 4 * 2 * Nt * C * C + 2 * 2 * double(B) * T * T * C;
    const double dec_cross = 2 * 2 * Nt * C * C + 2 * 2 * Ns * C * C + 2 * 2 * double(B) * T * S * C;
    const double dec_ffn = 2 * 2 * Nt * C * F;
    return double(c.enc_depth) * enc + double(c.dec_depth) * (dec_self + dec_cross + dec_ffn) +
           2 * Nt * C * V;
}

}  // namespace deepnet::bench
