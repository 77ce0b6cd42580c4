// The trainer's view of the data: the vocabulary (loaded, trained, or taken from a resumed
// state) and the tokenised training and validation corpora. Batches come from
// src/data/batch_stream.h.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "src/config/data_config.h"
#include "src/data/batcher.h"
#include "src/data/corpus.h"
#include "src/data/vocab.h"
#include "src/model/batch.h"

namespace deepnet {

struct TrainData {
    std::unique_ptr<Vocab> vocab;
    std::shared_ptr<const ParallelData> train;
    std::shared_ptr<const ParallelData> valid;  // null without valid-sets
    std::vector<std::string> languages, target_languages;  // target_languages: those with tags
};

// vocab_proto: non-empty when resuming (the state's vocabulary wins over the file).
TrainData load_train_data(const DataConfig& cfg, const std::string& default_vocab_path,
                          int64_t vocab_size, uint64_t seed, const std::string& vocab_proto);



}  // namespace deepnet
