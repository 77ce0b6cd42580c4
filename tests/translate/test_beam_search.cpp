// Beam search and batching: greedy (beam 1) equals a greedy loop with full recomputation;
// a sentence decodes the same alone and in a batch of other lengths; n-best lists are
// sorted by total, their F0 is the forward score of the same pair and total = F0/len^a;
// length-sorted mini-batches come back in input order; lengths stay within the limit.
#include <catch2/catch.hpp>

#include <cmath>
#include <memory>
#include <string>

#include "src/translate/translator.h"
#include "translate_test_util.h"
#include "model/tiny_model.h"

using namespace deepnet;
using test::Ids;

namespace {

constexpr NormScheme kAllNorms[] = {NormScheme::DeepNorm, NormScheme::Post, NormScheme::Pre,
                                    NormScheme::SubLN};

void require_same_nbest(const std::vector<Hypothesis>& a, const std::vector<Hypothesis>& b) {
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) {
        INFO("hypothesis " << i);
        REQUIRE(a[i].tokens == b[i].tokens);
        REQUIRE(a[i].score == Approx(b[i].score).margin(1e-4));
        REQUIRE(a[i].total == Approx(b[i].total).margin(1e-4));
    }
}

}  // namespace

TEST_CASE("the trained tiny model has learnt its task (beam 1 and beam 4)", "[translate]") {
    Transformer<float>& m = test::trained_model(NormScheme::DeepNorm);
    const int64_t V = m.config().vocab_size;
    IncrementalDecoder<float> dec(m);
    const auto src = test::task_sources(24, 5, V);  // the training sources
    for (int64_t beam : {1, 4}) {
        SearchOptions opt;
        opt.beam_size = beam;
        const auto out = translate_ids(dec, src, opt, 8);
        int correct = 0;
        for (size_t i = 0; i < src.size(); ++i)
            correct += out[i][0].tokens == test::reverse_shift(src[i], V) ? 1 : 0;
        INFO("beam " << beam << ": " << correct << " of 24 correct");
        REQUIRE(correct >= 22);
    }
}

TEST_CASE("beam 1 equals a greedy loop with full recomputation", "[translate]") {
    SearchOptions opt;
    opt.beam_size = 1;
    // The trained model stops by itself; random models (every norm scheme) wander up to the
    // length limit, so the forced </s> is compared too.
    std::vector<std::pair<std::string, Transformer<float>*>> models = {
        {"trained deepnorm", &test::trained_model(NormScheme::DeepNorm)}};
    std::vector<std::unique_ptr<Transformer<float>>> random;
    for (NormScheme norm : kAllNorms) {
        random.push_back(std::make_unique<Transformer<float>>(test::decode_config(norm, 16)));
        random.back()->init_parameters();
        models.push_back({std::string("random ") + to_string(norm), random.back().get()});
    }
    for (auto& [name, m] : models) {
        INFO(name);
        IncrementalDecoder<float> dec(*m);
        auto src = test::task_sources(6, 77, m->config().vocab_size);  // unseen sentences
        src.push_back({4});
        const auto out = beam_search(dec, src, opt);
        for (size_t i = 0; i < src.size(); ++i) {
            INFO("sentence " << i);
            const Hypothesis ref = test::greedy_by_recompute(*m, src[i], opt.max_length_factor);
            REQUIRE(out[i].size() == 1);
            REQUIRE(out[i][0].tokens == ref.tokens);
            REQUIRE(out[i][0].score == Approx(ref.score).margin(1e-4));
        }
    }
}

TEST_CASE("a sentence decodes the same alone and in a batch", "[translate]") {
    SearchOptions opt;
    opt.beam_size = 4;
    Transformer<float>& m = test::trained_model(NormScheme::DeepNorm);
    IncrementalDecoder<float> dec(m);
    const std::vector<Ids> batch = {{5, 6, 7, 8, 9, 10, 11}, {12}, {4, 4, 13, 14}, {9, 8}, {15, 5, 6}};
    const auto together = beam_search(dec, batch, opt);
    for (size_t i = 0; i < batch.size(); ++i) {
        INFO("sentence " << i);
        const auto alone = beam_search(dec, {batch[i]}, opt);
        require_same_nbest(together[i], alone[0]);
    }
}

TEST_CASE("n-best lists: sorted by total, F0 is the forward score, total = F0 / len^a", "[translate]") {
    Transformer<float>& m = test::trained_model(NormScheme::DeepNorm);
    IncrementalDecoder<float> dec(m);
    const auto src = test::task_sources(5, 123, m.config().vocab_size);
    for (double normalize : {0.0, 0.6, 1.0}) {
        INFO("normalize " << normalize);
        SearchOptions opt;
        opt.beam_size = 5;
        opt.normalize = normalize;
        const auto out = beam_search(dec, src, opt);
        for (size_t i = 0; i < src.size(); ++i) {
            INFO("sentence " << i);
            REQUIRE(out[i].size() == 5);  // every hypothesis finishes (</s> forced at the limit)
            std::vector<Ids> s(out[i].size(), src[i]), t;
            for (const auto& h : out[i]) t.push_back(h.tokens);
            const std::vector<double> f0 = score_pairs(m, s, t, 3);
            for (size_t j = 0; j < out[i].size(); ++j) {
                const Hypothesis& h = out[i][j];
                if (j > 0) REQUIRE(out[i][j - 1].total >= h.total);
                REQUIRE(h.score == Approx(f0[j]).margin(1e-4));
                REQUIRE(h.total == Approx(h.score / std::pow(double(h.tokens.size() + 1), normalize)));
                REQUIRE(int64_t(h.tokens.size()) + 1 <=
                        max_output_length(int64_t(src[i].size()) + 1, opt.max_length_factor));
            }
            for (size_t j = 1; j < out[i].size(); ++j)  // distinct hypotheses
                for (size_t k = 0; k < j; ++k) REQUIRE(out[i][j].tokens != out[i][k].tokens);
        }
    }
}

TEST_CASE("length-sorted mini-batches come back in input order", "[translate]") {
    Transformer<float>& m = test::trained_model(NormScheme::DeepNorm);
    IncrementalDecoder<float> dec(m);
    const auto src = test::task_sources(11, 9, m.config().vocab_size);
    SearchOptions opt;
    opt.beam_size = 2;
    const auto batches = length_sorted_batches([&] {
        std::vector<int64_t> l;
        for (const auto& s : src) l.push_back(int64_t(s.size()));
        return l;
    }(), 3);
    REQUIRE(batches.size() == 4);
    bool reordered = false;
    for (size_t b = 0, k = 0; b < batches.size(); ++b)
        for (size_t i : batches[b]) reordered = reordered || i != k++;
    REQUIRE(reordered);  // the sort really permutes this input
    const auto out = translate_ids(dec, src, opt, 3);
    REQUIRE(out.size() == src.size());
    for (size_t i = 0; i < src.size(); ++i) {
        INFO("sentence " << i);
        require_same_nbest(out[i], beam_search(dec, {src[i]}, opt)[0]);
    }
}

TEST_CASE("outputs respect the maximum length and never contain pad, bos or unk", "[translate]") {
    ModelConfig c = test::decode_config(NormScheme::DeepNorm, 7);
    Transformer<float> m(c);
    m.init_parameters();
    IncrementalDecoder<float> dec(m);
    const std::vector<Ids> src = {{4, 5, 6, 4, 5, 6, 4}, {6}, {5, 5, 5}};
    for (double factor : {0.5, 1.0, 2.0}) {
        SearchOptions opt;
        opt.beam_size = 3;
        opt.max_length_factor = factor;
        const auto out = beam_search(dec, src, opt);
        for (size_t i = 0; i < src.size(); ++i) {
            const int64_t limit = max_output_length(int64_t(src[i].size()) + 1, factor);
            REQUIRE(!out[i].empty());
            for (const auto& h : out[i]) {
                REQUIRE(int64_t(h.tokens.size()) + 1 <= limit);
                for (int64_t w : h.tokens) REQUIRE(w >= 4);
            }
        }
    }
    REQUIRE(max_output_length(8, 0.5) == 4);
    REQUIRE(max_output_length(1, 0.1) == 1);
}

TEST_CASE("banned tokens (the language tags) never appear, and the rest of the search is kept",
          "[translate]") {
    ModelConfig c = test::decode_config(NormScheme::DeepNorm, 7);
    Transformer<float> m(c);
    m.init_parameters();
    IncrementalDecoder<float> dec(m);
    const std::vector<Ids> src = {{4, 5, 6, 4, 5, 6, 4}, {6}, {5, 5, 5}};
    SearchOptions opt;
    opt.beam_size = 4;
    const auto free = beam_search(dec, src, opt);
    // Ban the token the unbanned search likes best, so the ban has something to change.
    const int64_t favourite = free[0].front().tokens.empty() ? 5 : free[0].front().tokens.front();
    opt.banned = {favourite};
    const auto out = beam_search(dec, src, opt);
    bool changed = false;
    for (size_t i = 0; i < src.size(); ++i)
        for (size_t k = 0; k < out[i].size(); ++k) {
            for (int64_t w : out[i][k].tokens) REQUIRE(w != favourite);
            changed = changed || k >= free[i].size() || out[i][k].tokens != free[i][k].tokens;
        }
    REQUIRE(changed);
}

TEST_CASE("translate_ids_parallel gives the same n-best lists with 1 or 2 workers", "[translate]") {
    ModelConfig c = test::tiny_config(NormScheme::DeepNorm);
    c.dropout = c.dropout_attention = c.dropout_ffn = 0;
    Transformer<float> m(c);
    m.init_parameters();
    std::vector<std::vector<int64_t>> src;
    for (int i = 0; i < 9; ++i) {
        std::vector<int64_t> s;
        for (int j = 0; j < 1 + (i * 5) % 7; ++j) s.push_back(4 + (i * 3 + j) % 9);
        src.push_back(s);
    }
    SearchOptions opt;
    opt.beam_size = 3;
    const auto one = translate_ids_parallel(m, src, opt, 2, 1);
    const auto two = translate_ids_parallel(m, src, opt, 2, 2);
    REQUIRE(one.size() == src.size());
    for (size_t i = 0; i < src.size(); ++i) {
        REQUIRE(one[i].size() == two[i].size());
        REQUIRE(!one[i].empty());
        for (size_t k = 0; k < one[i].size(); ++k) {
            REQUIRE(one[i][k].tokens == two[i][k].tokens);
            REQUIRE(one[i][k].score == two[i][k].score);
        }
    }
}
