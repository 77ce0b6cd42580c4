// The typed form of option group "Data" (training corpora, vocabulary, batching, sampling),
// filled once by data_config_from so that src/data/ never looks up an option by its key.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "src/config/resolved_options.h"

namespace deepnet {

// Marian --shuffle: data = shuffle the sentence pairs and the batches each epoch;
// batches = keep the corpus order, shuffle only the batches; none = no shuffling at all.
enum class ShuffleMode { Data, Batches, None };

struct DataConfig {
    std::vector<std::string> train_sets;  // source, target, source, target, ...
    std::vector<std::string> train_langs; // "en-de" per corpus; empty = from file suffixes
    std::vector<std::string> valid_sets;  // same pairing as train_sets
    std::string vocab_path;               // the joint SentencePiece model; "" = not set
    int64_t sentencepiece_max_lines = 2000000;  // 0 = every line
    int64_t max_length = 100;        // pairs with more tokens on either side are skipped
    int64_t mini_batch = 0;          // sentence cap per batch; 0 = none
    int64_t mini_batch_words = 4096; // padded target tokens per batch
    int64_t maxi_batch = 100;        // sort pool, in average batches
    bool mini_batch_fit = false;     // batches sized by fit_sentences instead of the word budget
    int64_t mini_batch_fit_step = 10;
    // Filled by the trainer at start-up with --mini-batch-fit (src/train/batch_fit.h), not an
    // option: entry k is the most sentences whose padded length is at most (k + 1) * step.
    std::vector<int64_t> fit_sentences;
    ShuffleMode shuffle = ShuffleMode::Data;
    double sampling_temperature = 5; // p_i ~ (n_i / N)^(1/T); 1 = proportional
    bool both_directions = false;
    bool lang_tags = false;          // forced on when there are several target languages
};

// Needs group "Data" (throws deepnet::Error for a subcommand without it).
DataConfig data_config_from(const ResolvedOptions& opts);

const char* to_string(ShuffleMode mode);

}  // namespace deepnet
