// One epoch of training batches, Marian style, as global pair ids (see corpus.h):
//   1. temperature sampling across corpora (sampling.h);
//   2. shuffle the pairs (shuffle: data);
//   3. cut into pools of maxi-batch average batches and sort each pool by
//      (target length, source length), so a batch holds sentences of similar length;
//   4. cut each pool into batches whose padded target tokens B * (max target length + 1)
//      stay within mini-batch-words (and B within mini-batch when it is > 0); "+1" is the
//      <s> of the decoder input / </s> of its output, i.e. the T of make_batch. With
//      --mini-batch-fit, B stays within the fit table's entry for the batch's longer side
//      (src/train/batch_fit.h) instead of the word budget;
//   5. shuffle the batches (shuffle: data or batches).
// Everything is a function of (data, options, seed, epoch) only, so an epoch can be rebuilt
// exactly on resume. A single pair longer than the budget still forms a batch of its own.
#pragma once

#include <cstdint>
#include <vector>

#include "src/config/data_config.h"
#include "src/data/corpus.h"

namespace deepnet {

using BatchIds = std::vector<int64_t>;  // global pair ids of one batch

// Epochs are numbered from 1, as Marian prints them.
std::vector<BatchIds> build_epoch_batches(const ParallelData& data, const DataConfig& cfg,
                                          uint64_t seed, int64_t epoch);

// --mini-batch-fit: the most sentences of a batch whose longer side pads to `positions`
// (cfg.fit_sentences' entry; the last one beyond the table).
int64_t fit_limit(const DataConfig& cfg, int64_t positions);

// Steps 3-5 on explicit lengths (index i = pair ids[i]); exposed for tests and tools.
std::vector<BatchIds> cut_into_batches(const std::vector<int64_t>& ids,
                                       const std::vector<int32_t>& source_lengths,
                                       const std::vector<int32_t>& target_lengths,
                                       const DataConfig& cfg, uint64_t seed, int64_t epoch);

}  // namespace deepnet
