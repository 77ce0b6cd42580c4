// Incremental decoding (encoder once, one position per step, cached keys/values, beam
// reorders and compaction) gives the same per-step log-probabilities as recomputing the
// whole model with Transformer::forward on each hypothesis' prefix (teacher forcing), in
// every norm scheme, randomly initialised.
#include <catch2/catch.hpp>

#include <random>

#include "src/core/error.h"
#include "src/translate/incremental_decoder.h"
#include "translate_test_util.h"

using namespace deepnet;
using test::Ids;

namespace {

struct Hyp {
    int64_t sentence;
    Ids prefix;
};

// Steps `steps` positions with random tokens; between steps the hypotheses are reordered at
// random (duplicated, dropped, shuffled), as beam search does. Returns the worst deviation
// |incremental - full| over all log-probabilities, and counts the non-identity reorders.
template <typename T>
double max_deviation(NormScheme norm, int steps, uint64_t seed, int* reorders) {
    ModelConfig c = test::decode_config(norm);
    c.tied_embeddings = norm == NormScheme::Post;       // output projection = target table
    c.tied_embeddings_all = norm == NormScheme::SubLN;  // one table for everything
    Transformer<T> m(c);
    m.init_parameters();
    const std::vector<Ids> src = {{4, 5, 6, 7, 8, 9}, {10, 11}, {12, 13, 14, 15}};
    IncrementalDecoder<T> dec(m);
    dec.start(src);
    std::vector<Hyp> hyps = {{0, {}}, {1, {}}, {2, {}}};
    std::mt19937_64 g(seed);
    double worst = 0;
    *reorders = 0;
    for (int t = 0; t < steps; ++t) {
        std::vector<int64_t> tokens, sentence;
        for (const Hyp& h : hyps) {
            tokens.push_back(h.prefix.empty() ? c.bos_id : h.prefix.back());
            sentence.push_back(h.sentence);
        }
        const T* logp = dec.step(tokens, sentence);
        REQUIRE(dec.position() == t + 1);
        std::vector<Ids> rsrc, rprefix;
        for (const Hyp& h : hyps) {
            rsrc.push_back(src[size_t(h.sentence)]);
            rprefix.push_back(h.prefix);
        }
        const auto ref = test::full_next_logprobs(m, rsrc, rprefix);
        for (size_t n = 0; n < hyps.size(); ++n)
            for (int64_t v = 0; v < c.vocab_size; ++v)
                worst = std::max(worst, std::fabs(double(logp[int64_t(n) * c.vocab_size + v]) -
                                                  ref[n][size_t(v)]));
        // Next beam: 1..5 hypotheses drawn from the current ones, each extended by a token.
        const size_t M = 1 + g() % 5;
        std::vector<int64_t> parent;
        std::vector<Hyp> next;
        for (size_t i = 0; i < M; ++i) {
            const int64_t p = int64_t(g() % hyps.size());
            parent.push_back(p);
            Hyp h = hyps[size_t(p)];
            h.prefix.push_back(4 + int64_t(g() % uint64_t(c.vocab_size - 4)));
            next.push_back(h);
        }
        bool identity = parent.size() == hyps.size();
        for (size_t i = 0; i < parent.size(); ++i) identity = identity && parent[i] == int64_t(i);
        *reorders += identity ? 0 : 1;
        dec.reorder(parent);
        REQUIRE(dec.hypotheses() == int64_t(M));
        hyps = next;
    }
    return worst;
}

}  // namespace

TEST_CASE("incremental decoding equals full recomputation, every norm scheme",
          "[translate]") {
    for (NormScheme norm : {NormScheme::DeepNorm, NormScheme::Post, NormScheme::Pre, NormScheme::SubLN}) {
        INFO("norm " << to_string(norm));
        int reorders = 0;
        const double dev_double = max_deviation<double>(norm, 9, 11, &reorders);
        REQUIRE(reorders >= 5);  // the caches really were gathered
        CHECK(dev_double < 1e-10);
        const double dev_float = max_deviation<float>(norm, 9, 12, &reorders);
        CHECK(dev_float < 2e-4);
    }
}

TEST_CASE("incremental decoder rejects a step that skips the reorder", "[translate]") {
    const ModelConfig c = test::decode_config(NormScheme::DeepNorm);
    Transformer<float> m(c);
    m.init_parameters();
    IncrementalDecoder<float> dec(m);
    dec.start({{4, 5}, {6}});
    dec.step({c.bos_id, c.bos_id}, {0, 1});
    REQUIRE_THROWS_AS(dec.step({5, 5, 5}, {0, 1, 1}), Error);
    dec.reorder({0, 1, 1});
    REQUIRE_NOTHROW(dec.step({5, 5, 5}, {0, 1, 1}));
}
