// Validation during training: cross-entropy / perplexity of the validation sets (teacher
// forcing, no dropout, no label smoothing) and BLEU / chrF of their translations, per
// direction for multilingual data and over all directions together; Marian's script
// metrics (translation: the script's score of all the translations; valid-script: the
// script alone) over all directions only. A model on a GPU scores there and translates on
// the CPU (a host copy of its weights) until GPU decoding.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "src/data/corpus.h"
#include "src/data/vocab.h"
#include "src/model/transformer.h"
#include "src/train/valid_script.h"

namespace deepnet {

struct ValidationOptions {
    std::vector<std::string> metrics;  // cross-entropy, perplexity, bleu, chrf, translation, valid-script
    int64_t mini_batch = 32;
    int64_t beam_size = 4;
    double normalize = 0.6;
    int64_t max_sentences = 0;             // for bleu/chrf; 0 = all
    std::string translation_output;        // "" = do not write
    ValidScript script;                    // for translation and valid-script
    std::function<bool()> stop;            // polled between batches: true = give up, return {}
};

// direction ("en-de", or "" for all together) -> metric -> value; empty when opt.stop said so.
using ValidationScores = std::map<std::string, std::map<std::string, double>>;

ValidationScores validate(Transformer<float>& model, const ParallelData& valid, const Vocab& vocab,
                          const ValidationOptions& opt);

// Higher is better for bleu, chrf and the script metrics, lower for cross-entropy and perplexity.
bool metric_improves(const std::string& metric, double value, double best);

}  // namespace deepnet
