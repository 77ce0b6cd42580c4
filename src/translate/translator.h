// Sentence-level batching around beam search and teacher-forced scoring, on token ids.
//   translate_ids: mini-batches of up to `mini_batch` sentences, sorted by source length
//     (longest first, stable) so a batch wastes little padding; n-best lists come back in
//     input order. Callers pass one maxi-batch at a time.
//   score_pairs: log p(target + </s> | source) per pair (natural log, no label smoothing, no
//     dropout) by one full teacher-forced Transformer::forward per mini-batch; pairs are
//     sorted by length the same way and the scores returned in input order.
// Token ids exclude </s> (added by the batch builders) and <s>.
#pragma once

#include <cstdint>
#include <vector>

#include "src/model/transformer.h"
#include "src/translate/beam_search.h"

namespace deepnet {

// Indices of `lengths` longest first (stable), cut into consecutive groups of <= mini_batch.
std::vector<std::vector<size_t>> length_sorted_batches(const std::vector<int64_t>& lengths,
                                                       int64_t mini_batch);

template <typename T>
std::vector<std::vector<Hypothesis>> translate_ids(IncrementalDecoder<T>& decoder,
                                                   const std::vector<std::vector<int64_t>>& sources,
                                                   const SearchOptions& opt, int64_t mini_batch);

// The same, with the mini-batches shared among `workers` threads, each with its own decoder
// and single-threaded kernels: at decoding sizes (tens of rows per matrix product) waking
// threads for every small kernel costs more than it gains, so sentence-level parallelism
// is faster. Results do not depend on `workers`.
template <typename T>
std::vector<std::vector<Hypothesis>> translate_ids_parallel(const Transformer<T>& model,
                                                            const std::vector<std::vector<int64_t>>& sources,
                                                            const SearchOptions& opt, int64_t mini_batch,
                                                            int64_t workers);

template <typename T>
std::vector<double> score_pairs(Transformer<T>& model,
                                const std::vector<std::vector<int64_t>>& sources,
                                const std::vector<std::vector<int64_t>>& targets,
                                int64_t mini_batch);

}  // namespace deepnet
