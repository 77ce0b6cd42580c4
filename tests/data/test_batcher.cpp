// Sampling and batching: temperature probabilities and epoch quotas, every pair exactly
// once per epoch at T = 1, per-corpus counts at T > 1, the padded target-token budget and
// sentence cap, length-sorted pools, determinism from (seed, epoch), exact resume from a
// saved position, and the prefetching stream across epochs.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <memory>

#include "src/data/batch_stream.h"
#include "src/data/batcher.h"
#include "src/data/sampling.h"
#include "src/model/batch.h"
#include "tests/data/data_test_util.h"

using namespace deepnet;
using deepnet::test::make_lines;
using deepnet::test::TempDir;
using deepnet::test::user_error;
using deepnet::test::write_lines;
using Catch::Matchers::Contains;

namespace {

// Two corpora, en-de (n0 pairs) and en-fr (n1 pairs), lengths 1..20 words.
std::shared_ptr<const ParallelData> two_corpora(const TempDir& dir, int64_t n0, int64_t n1) {
    const Vocab vocab = deepnet::test::small_vocab(dir, {"<2de>", "<2fr>"});
    const CorpusPlan plan = plan_corpora(
        {write_lines(dir, "a.en", make_lines(n0, "en", 1, 1, 20)),
         write_lines(dir, "a.de", make_lines(n0, "de", 2, 1, 20)),
         write_lines(dir, "b.en", make_lines(n1, "en", 3, 1, 20)),
         write_lines(dir, "b.fr", make_lines(n1, "fr", 4, 1, 20))},
        {}, false, false);
    return std::make_shared<const ParallelData>(load_corpora(plan, vocab, LoadOptions{}));
}

DataConfig batching(int64_t words, int64_t sentences = 0, double temperature = 1.0) {
    DataConfig cfg;
    cfg.mini_batch_words = words;
    cfg.mini_batch = sentences;
    cfg.maxi_batch = 10;
    cfg.sampling_temperature = temperature;
    return cfg;
}

// The model's batch of the pairs `ids`.
Batch batch_of(const ParallelData& data, const BatchIds& ids, const ModelConfig& mc) {
    std::vector<std::vector<int64_t>> src, tgt;
    for (int64_t id : ids) {
        src.push_back(data.source(id));
        tgt.push_back(data.target(id));
    }
    return make_batch(src, tgt, mc);
}

std::vector<int64_t> flatten(const std::vector<BatchIds>& batches) {
    std::vector<int64_t> all;
    for (const auto& b : batches) all.insert(all.end(), b.begin(), b.end());
    return all;
}

}  // namespace

TEST_CASE("temperature probabilities: T=1 proportional, large T uniform", "[data]") {
    const std::vector<int64_t> sizes = {9000, 900, 100};
    const auto p1 = sampling_probabilities(sizes, 1.0);
    CHECK(p1[0] == Approx(0.9));
    CHECK(p1[1] == Approx(0.09));
    CHECK(p1[2] == Approx(0.01));
    // T = 5: p_i ~ (n_i / N)^(1/5).
    const auto p5 = sampling_probabilities(sizes, 5.0);
    const double w0 = std::pow(0.9, 0.2), w1 = std::pow(0.09, 0.2), w2 = std::pow(0.01, 0.2);
    CHECK(p5[0] == Approx(w0 / (w0 + w1 + w2)));
    CHECK(p5[2] == Approx(w2 / (w0 + w1 + w2)));
    CHECK(p5[2] > 0.15);  // the small corpus is strongly upsampled from 1 %
    const auto pinf = sampling_probabilities(sizes, 1e6);
    for (double p : pinf) CHECK(p == Approx(1.0 / 3).epsilon(1e-4));
    CHECK(sampling_probabilities({10, 0, 30}, 5.0)[1] == 0.0);

    const auto q1 = epoch_quotas(sizes, 1.0);
    CHECK(q1 == sizes);
    const auto q5 = epoch_quotas(sizes, 5.0);
    CHECK(q5[0] + q5[1] + q5[2] == 10000);
    for (size_t i = 0; i < 3; ++i) {
        CHECK(double(q5[i]) >= std::floor(10000 * p5[i]));
        CHECK(double(q5[i]) <= std::ceil(10000 * p5[i]));
    }
}

TEST_CASE("sample_epoch draws without replacement while possible", "[data]") {
    const std::vector<int64_t> sizes = {1000, 30};
    const auto q = epoch_quotas(sizes, 5.0);
    REQUIRE(q[0] < 1000);
    REQUIRE(q[1] > 30);
    const auto ids = sample_epoch(sizes, 5.0, 11, 1);
    CHECK(int64_t(ids.size()) == 1030);
    std::map<int64_t, int64_t> count;
    for (int64_t id : ids) ++count[id];
    int64_t from0 = 0, from1 = 0;
    for (const auto& [id, n] : count) {
        if (id < 1000) {
            from0 += n;
            CHECK(n == 1);  // downsampled: distinct pairs
        } else {
            from1 += n;
            CHECK(n >= q[1] / 30);  // upsampled: every pair, repeated evenly
            CHECK(n <= q[1] / 30 + 1);
        }
    }
    CHECK(from0 == q[0]);
    CHECK(from1 == q[1]);
    CHECK(sample_epoch(sizes, 5.0, 11, 2) != ids);  // another epoch, another subset
    CHECK(sample_epoch(sizes, 5.0, 11, 1) == ids);
}

TEST_CASE("T=1: every pair appears exactly once per epoch", "[data]") {
    TempDir dir;
    const auto data = two_corpora(dir, 300, 40);
    for (int64_t epoch : {1, 2}) {
        auto all = flatten(build_epoch_batches(*data, batching(200), 7, epoch));
        std::sort(all.begin(), all.end());
        std::vector<int64_t> expected(340);
        for (int64_t i = 0; i < 340; ++i) expected[size_t(i)] = i;
        CHECK(all == expected);
    }
}

TEST_CASE("large temperature: per-corpus counts follow the quotas", "[data]") {
    TempDir dir;
    const auto data = two_corpora(dir, 300, 40);
    const auto q = epoch_quotas({300, 40}, 100.0);
    const auto all = flatten(build_epoch_batches(*data, batching(200, 0, 100.0), 7, 1));
    const int64_t small = std::count_if(all.begin(), all.end(), [](int64_t id) { return id >= 300; });
    CHECK(int64_t(all.size()) == 340);
    CHECK(small == q[1]);
    CHECK(small > 150);  // close to half of the epoch, from 12 % of the data
}

TEST_CASE("batches respect the padded target-token budget and the sentence cap", "[data]") {
    TempDir dir;
    const auto data = two_corpora(dir, 300, 40);
    ModelConfig mc;
    for (int64_t words : {64, 200, 1000}) {
        for (int64_t cap : {0, 8}) {
            INFO("mini-batch-words " << words << ", mini-batch " << cap);
            const auto batches = build_epoch_batches(*data, batching(words, cap), 3, 1);
            int64_t multi = 0;
            for (const auto& ids : batches) {
                const Batch b = batch_of(*data, ids, mc);
                CHECK(b.B * b.T <= words);
                if (cap > 0) CHECK(b.B <= cap);
                multi += b.B > 1;
            }
            // Batches are filled, not singletons (64 tokens fit only one long sentence).
            if (words >= 200) CHECK(multi > int64_t(batches.size()) / 2);
        }
    }
}

TEST_CASE("mini-batch-fit: batches stay within the fit table's entry for their longer side", "[data]") {
    TempDir dir;
    const auto data = two_corpora(dir, 300, 40);
    ModelConfig mc;
    DataConfig cfg = batching(1);  // the word budget would allow one sentence: the table rules instead
    cfg.mini_batch_fit = true;
    cfg.mini_batch_fit_step = 5;
    cfg.fit_sentences = {40, 20, 12, 9, 7};  // padded lengths up to 5, 10, 15, 20, 25 (and beyond)
    CHECK(fit_limit(cfg, 1) == 40);
    CHECK(fit_limit(cfg, 5) == 40);
    CHECK(fit_limit(cfg, 6) == 20);
    CHECK(fit_limit(cfg, 25) == 7);
    CHECK(fit_limit(cfg, 400) == 7);
    const auto batches = build_epoch_batches(*data, cfg, 3, 1);
    int64_t sentences = 0, full = 0;
    for (const auto& ids : batches) {
        const Batch b = batch_of(*data, ids, mc);
        const int64_t limit = fit_limit(cfg, std::max(b.S, b.T));
        INFO("B " << b.B << " S " << b.S << " T " << b.T);
        CHECK(b.B <= limit);
        full += b.B * 2 > limit;
        sentences += b.B;
    }
    CHECK(sentences == 340);
    CHECK(full > int64_t(batches.size()) / 2);  // filled, not cut early
    cfg.mini_batch = 4;  // an explicit cap still holds
    for (const auto& ids : build_epoch_batches(*data, cfg, 3, 1)) CHECK(ids.size() <= 4);
}

TEST_CASE("a pool sorted by length: with shuffle none one pool is in length order", "[data]") {
    TempDir dir;
    const auto data = two_corpora(dir, 300, 40);
    DataConfig cfg = batching(200);
    cfg.shuffle = ShuffleMode::None;
    cfg.maxi_batch = 1000;  // one pool holds the whole epoch
    const auto all = flatten(build_epoch_batches(*data, cfg, 3, 1));
    REQUIRE(all.size() == 340);
    for (size_t i = 1; i < all.size(); ++i) {
        const auto a = std::make_pair(data->target_length(all[i - 1]), data->source_length(all[i - 1]));
        const auto b = std::make_pair(data->target_length(all[i]), data->source_length(all[i]));
        CHECK(a <= b);
    }
}

TEST_CASE("batches are a function of seed and epoch", "[data]") {
    TempDir dir;
    const auto data = two_corpora(dir, 300, 40);
    const DataConfig cfg = batching(200, 0, 5.0);
    const auto a = build_epoch_batches(*data, cfg, 1, 1);
    CHECK(build_epoch_batches(*data, cfg, 1, 1) == a);
    CHECK(build_epoch_batches(*data, cfg, 2, 1) != a);
    CHECK(build_epoch_batches(*data, cfg, 1, 2) != a);
}

TEST_CASE("resume from a saved position reproduces the remaining batches", "[data]") {
    TempDir dir;
    const auto data = two_corpora(dir, 300, 40);
    const DataConfig cfg = batching(150, 0, 5.0);
    // Stop in the middle of epoch 2, and right after its last batch.
    for (bool at_epoch_end : {false, true}) {
        INFO("at the end of an epoch: " << at_epoch_end);
        BatchStream first(data, cfg, 9);
        for (;;) {
            const BatchPairs b = first.next();
            if (b.position.epoch < 2) continue;
            const int64_t stop = at_epoch_end ? b.epoch_batches - 1 : b.epoch_batches / 2;
            if (b.position.batches_in_epoch == stop) break;
        }
        const DataPosition saved = first.position();
        CHECK(saved.epoch == 2);
        BatchStream resumed(data, cfg, 9, saved);
        CHECK(resumed.position() == saved);
        for (int64_t i = 0; i < 40; ++i) {  // well into epoch 3
            const BatchPairs x = first.next(), y = resumed.next();
            REQUIRE(x.pair_ids == y.pair_ids);
            CHECK(x.sources == y.sources);
            CHECK(x.targets == y.targets);
            CHECK(x.position == y.position);
        }
    }
    const std::string msg = user_error([&] { BatchStream bad(data, cfg, 9, DataPosition{2, 100000}); });
    CHECK_THAT(msg, Contains("lies beyond"));
}

TEST_CASE("the prefetching stream runs epoch after epoch, each complete", "[data]") {
    TempDir dir;
    const auto data = two_corpora(dir, 120, 30);
    BatchStream stream(data, batching(120), 4);
    for (int64_t epoch = 1; epoch <= 4; ++epoch) {
        std::vector<int64_t> seen;
        for (int64_t i = 0;; ++i) {
            const BatchPairs b = stream.next();
            CHECK(b.position.epoch == epoch);
            CHECK(b.position.batches_in_epoch == i);
            CHECK(b.sources.size() == b.pair_ids.size());
            CHECK(b.targets.size() == b.pair_ids.size());
            seen.insert(seen.end(), b.pair_ids.begin(), b.pair_ids.end());
            if (i + 1 == b.epoch_batches) break;
        }
        std::sort(seen.begin(), seen.end());
        CHECK(seen.size() == 150);
        CHECK(std::unique(seen.begin(), seen.end()) == seen.end());
    }
}
