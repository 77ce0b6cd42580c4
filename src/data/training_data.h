// The whole data set-up of a training run in one call: plan the corpora, load or train the
// joint vocabulary (with the language tags), load and tokenise train-sets (max-length,
// skipping empty pairs) and valid-sets (every line kept, same tags). The caller logs the
// per-corpus counts (describe_stats) and keeps the languages and vocabulary for the model.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "src/config/data_config.h"
#include "src/data/corpus.h"
#include "src/data/vocab.h"

namespace deepnet {

struct TrainingData {
    Vocab vocab;
    std::shared_ptr<const ParallelData> train;
    std::shared_ptr<const ParallelData> valid;  // null without valid-sets
};

// vocab_size: dim-vocabs; seed: the run's seed (vocabulary sampling). threads: tokenisation
// threads, 0 = all cores. stored_vocab: a serialized SentencePiece model that wins over
// cfg.vocab_path (a resumed run keeps the vocabulary it started with). Throws UserError for
// every problem in the data or options.
TrainingData prepare_training_data(const DataConfig& cfg, int64_t vocab_size, uint64_t seed,
                                   int64_t threads = 0, const std::string& stored_vocab = "");

// One line per file pair: "a.en -> a.de: 1000 lines, 990 kept, 4 empty, 6 longer than 100".
std::vector<std::string> describe_stats(const ParallelData& data, int64_t max_length);

}  // namespace deepnet
