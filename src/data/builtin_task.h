// The built-in translation task: a generated English -> "Germanic" corpus with real
// structure to learn (a lexicon, grammatical gender agreement of articles and adjectives,
// verb-final word order, optional adverbs and coordination), so a small model trained for a
// few minutes on 2 CPU cores reaches a high, meaningful BLEU on held-out sentences.
// Files written: train.{en,xx}, valid.{en,xx}, test.{en,xx} (xx = the target language).
#pragma once

#include <cstdint>
#include <string>
#include <utility>

namespace deepnet {

struct BuiltinTaskSizes {
    int64_t train = 20000, valid = 500, test = 500;
};

// One (source, target) sentence pair drawn from the generator's stream.
std::pair<std::string, std::string> builtin_task_pair(uint64_t seed, uint64_t index);

// Writes the six files into dir (created if missing); test sentences never occur in train.
void write_builtin_task(const std::string& dir, uint64_t seed, const BuiltinTaskSizes& sizes);

}  // namespace deepnet
