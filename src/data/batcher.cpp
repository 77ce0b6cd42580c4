// Building one epoch of batches (see batcher.h).
#include "src/data/batcher.h"

#include <algorithm>

#include "src/core/error.h"
#include "src/data/data_rng.h"
#include "src/data/sampling.h"

namespace deepnet {
namespace {

constexpr uint64_t kShufflePairs = 2, kShuffleBatches = 3;

struct Item {
    int64_t id;
    int32_t src, tgt;
};

bool fitted(const DataConfig& cfg) { return cfg.mini_batch_fit && !cfg.fit_sentences.empty(); }

// Sentences per average batch: the word budget over the mean padded target length (or the
// fit table's entry for the mean padded length), capped by mini-batch. Sets the pool size;
// it does not need to be exact.
int64_t average_batch(const std::vector<Item>& items, const DataConfig& cfg) {
    double tokens = 0;
    for (const Item& it : items) tokens += (fitted(cfg) ? std::max(it.tgt, it.src) : it.tgt) + 1;
    const double mean = items.empty() ? 1.0 : tokens / double(items.size());
    int64_t b = fitted(cfg) ? fit_limit(cfg, int64_t(mean + 0.5))
                            : std::max<int64_t>(1, int64_t(double(cfg.mini_batch_words) / mean));
    if (cfg.mini_batch > 0) b = std::min(b, cfg.mini_batch);
    return b;
}

// Greedy cut of one sorted pool. Sorted by target length, so the newest pair is the longest
// and the padded size of the batch with it is (count + 1) * (its length + 1).
void cut_pool(const Item* begin, const Item* end, const DataConfig& cfg, std::vector<BatchIds>& out) {
    BatchIds batch;
    int64_t longest = 0, longest_src = 0;  // padded positions of the batch so far
    for (const Item* it = begin; it != end; ++it) {
        const int64_t t = std::max<int64_t>(longest, it->tgt + 1);
        const int64_t b = int64_t(batch.size()) + 1;
        const int64_t s = std::max<int64_t>(longest_src, it->src + 1);
        const bool over_budget = fitted(cfg) ? b > fit_limit(cfg, std::max(t, s)) : b * t > cfg.mini_batch_words;
        const bool over = over_budget || (cfg.mini_batch > 0 && b > cfg.mini_batch);
        if (over && !batch.empty()) {
            out.push_back(std::move(batch));
            batch.clear();
            longest = longest_src = 0;
        }
        batch.push_back(it->id);
        longest = std::max<int64_t>(longest, it->tgt + 1);
        longest_src = std::max<int64_t>(longest_src, it->src + 1);
    }
    if (!batch.empty()) out.push_back(std::move(batch));
}

}  // namespace

int64_t fit_limit(const DataConfig& cfg, int64_t positions) {
    const std::vector<int64_t>& table = cfg.fit_sentences;
    DEEPNET_CHECK(!table.empty() && cfg.mini_batch_fit_step > 0, "fit_limit: no --mini-batch-fit table");
    const int64_t step = cfg.mini_batch_fit_step;
    const int64_t k = std::clamp<int64_t>((positions + step - 1) / step - 1, 0, int64_t(table.size()) - 1);
    return std::max<int64_t>(1, table[size_t(k)]);
}

std::vector<BatchIds> cut_into_batches(const std::vector<int64_t>& ids,
                                       const std::vector<int32_t>& source_lengths,
                                       const std::vector<int32_t>& target_lengths,
                                       const DataConfig& cfg, uint64_t seed, int64_t epoch) {
    DEEPNET_CHECK(ids.size() == source_lengths.size() && ids.size() == target_lengths.size(),
                  "ids and lengths differ in size");
    DEEPNET_CHECK(cfg.mini_batch_words > 0 && cfg.maxi_batch > 0, "batch sizes must be positive");
    std::vector<Item> items(ids.size());
    for (size_t i = 0; i < ids.size(); ++i) items[i] = {ids[i], source_lengths[i], target_lengths[i]};
    if (cfg.shuffle == ShuffleMode::Data) {
        DataRng rng(seed, uint64_t(epoch), kShufflePairs);
        deterministic_shuffle(items, rng);
    }
    const int64_t pool = cfg.maxi_batch * average_batch(items, cfg);
    std::vector<BatchIds> batches;
    for (size_t start = 0; start < items.size(); start += size_t(pool)) {
        Item* b = items.data() + start;
        Item* e = items.data() + std::min(items.size(), start + size_t(pool));
        // Stable: equal lengths keep their shuffled order, so the result is deterministic.
        std::stable_sort(b, e, [](const Item& x, const Item& y) {
            return x.tgt != y.tgt ? x.tgt < y.tgt : x.src < y.src;
        });
        cut_pool(b, e, cfg, batches);
    }
    if (cfg.shuffle != ShuffleMode::None) {
        DataRng rng(seed, uint64_t(epoch), kShuffleBatches);
        deterministic_shuffle(batches, rng);
    }
    return batches;
}

std::vector<BatchIds> build_epoch_batches(const ParallelData& data, const DataConfig& cfg,
                                          uint64_t seed, int64_t epoch) {
    std::vector<int64_t> sizes(size_t(data.num_corpora()));
    for (int64_t c = 0; c < data.num_corpora(); ++c) sizes[size_t(c)] = data.corpus_size(c);
    const std::vector<int64_t> ids = sample_epoch(sizes, cfg.sampling_temperature, seed, epoch);
    std::vector<int32_t> src(ids.size()), tgt(ids.size());
    for (size_t i = 0; i < ids.size(); ++i) {
        src[i] = int32_t(data.source_length(ids[i]));
        tgt[i] = int32_t(data.target_length(ids[i]));
    }
    return cut_into_batches(ids, src, tgt, cfg, seed, epoch);
}

}  // namespace deepnet
