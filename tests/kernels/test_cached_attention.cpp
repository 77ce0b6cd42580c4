// cached_attention_forward (one query per hypothesis over a key/value cache) against the
// training attention kernel: the causal self-attention of the full forward, and the
// cross-attention over padded sentences with a per-query sentence index.
#include <catch2/catch.hpp>

#include <vector>

#include "kernels/attention.h"
#include "kernels/cached_attention.h"
#include "support/gradcheck.h"

using namespace deepnet;
using kernels::cpu::AttentionDims;
using kernels::cpu::CachedAttentionDims;

TEST_CASE("cached attention equals causal self-attention, time-major cache", "[translate][kernel]") {
    const int64_t B = 3, T = 6, H = 2, D = 5, C = H * D;
    const std::vector<int64_t> len = {6, 3, 5};
    const auto q = test::random_vec(size_t(B * T * C), 1);
    const auto k = test::random_vec(size_t(B * T * C), 2);
    const auto v = test::random_vec(size_t(B * T * C), 3);
    std::vector<double> full(size_t(B * T * C)), probs(size_t(B * H * T * T));
    kernels::cpu::attention_forward<double>(full.data(), probs.data(), q.data(), k.data(),
                                            v.data(), len.data(), true, 0.0, 0,
                                            AttentionDims{B, T, T, H, D, C, C, C, C});
    // Cache (T, B, C): position t of sentence b at row t * B + b, as the decoder keeps it.
    std::vector<double> kc(size_t(T * B * C)), vc(size_t(T * B * C));
    for (int64_t b = 0; b < B; ++b)
        for (int64_t t = 0; t < T; ++t)
            for (int64_t c = 0; c < C; ++c) {
                kc[size_t((t * B + b) * C + c)] = k[size_t((b * T + t) * C + c)];
                vc[size_t((t * B + b) * C + c)] = v[size_t((b * T + t) * C + c)];
            }
    for (int64_t i = 0; i < T; ++i) {
        std::vector<double> qi(size_t(B * C)), got(size_t(B * C)), ref(size_t(B * C));
        std::vector<int64_t> block = {0, 1, 2}, keys(size_t(B), i + 1);
        for (int64_t b = 0; b < B; ++b)
            for (int64_t c = 0; c < C; ++c) {
                qi[size_t(b * C + c)] = q[size_t((b * T + i) * C + c)];
                ref[size_t(b * C + c)] = full[size_t((b * T + i) * C + c)];
            }
        kernels::cpu::cached_attention_forward<double>(got.data(), qi.data(), kc.data(), vc.data(),
                                                       block.data(), keys.data(),
                                                       CachedAttentionDims{B, H, D, C, C, C, B * C});
        for (int64_t b = 0; b < B; ++b) {
            if (i >= len[size_t(b)]) continue;  // padding positions are never decoded
            INFO("position " << i << " sentence " << b);
            test::require_close("out", got.data() + b * C, ref.data() + b * C, size_t(C), 1e-12, 1e-10);
        }
    }
}

TEST_CASE("cached attention equals cross-attention per sentence", "[translate][kernel]") {
    const int64_t S = 5, H = 3, D = 4, C = H * D, N = 6;
    const std::vector<int64_t> len = {5, 2, 4};  // three sentences, padded to S
    const std::vector<int64_t> sentence = {2, 0, 1, 2, 0, 1};
    const auto q = test::random_vec(size_t(N * C), 4);
    const auto k = test::random_vec(size_t(3 * S * C), 5);
    const auto v = test::random_vec(size_t(3 * S * C), 6);
    std::vector<int64_t> keys;
    for (int64_t s : sentence) keys.push_back(len[size_t(s)]);
    std::vector<double> got(size_t(N * C));
    kernels::cpu::cached_attention_forward<double>(got.data(), q.data(), k.data(), v.data(),
                                                   sentence.data(), keys.data(),
                                                   CachedAttentionDims{N, H, D, C, C, S * C, C});
    // Reference: each query alone against its sentence's keys with the training kernel.
    for (int64_t n = 0; n < N; ++n) {
        const int64_t s = sentence[size_t(n)];
        std::vector<double> ref(static_cast<size_t>(C)), probs(static_cast<size_t>(H * S));
        kernels::cpu::attention_forward<double>(ref.data(), probs.data(), q.data() + n * C,
                                                k.data() + s * S * C, v.data() + s * S * C,
                                                &len[size_t(s)], false, 0.0, 0,
                                                AttentionDims{1, 1, S, H, D, C, C, C, C});
        INFO("query " << n);
        test::require_close("out", got.data() + n * C, ref.data(), size_t(C), 1e-12, 1e-10);
    }
}
