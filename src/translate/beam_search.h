// Batched beam search over an IncrementalDecoder (Marian's algorithm and scores).
//   Each sentence starts with one hypothesis "<s>". At each step, every active hypothesis
//   h of a sentence with k = beam_size - finished slots left is extended by every allowed
//   token w with score(h) + log p(w | h); the k best extensions (by raw path score) survive.
//   Extensions ending in </s> leave the beam as finished hypotheses (the beam shrinks);
//   the others go on. The last allowed position forces </s>, so a sentence ends with
//   exactly beam_size finished hypotheses, or fewer when the vocabulary runs short.
//   score (Marian's F0) = sum of the token log-probabilities, </s> included;
//   total = score / length^normalize, length = tokens + 1 (</s>); n-best sorted by total.
//   Maximum length (tokens + </s>) = max(1, floor(max_length_factor * source length)),
//   source length with </s>, per sentence (so a sentence decodes the same alone or in a
//   batch). <pad>, <s> and (unless allow_unk) <unk> are never produced.
// beam_size = 1 is greedy search.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "src/translate/incremental_decoder.h"

namespace deepnet {

struct SearchOptions {
    int64_t beam_size = 4;
    double normalize = 0.6;
    double max_length_factor = 3;
    bool allow_unk = false;
    std::vector<int64_t> banned;  // never proposed, like <pad> and <s>: the language tags
    // Polled before each mini-batch by the batch translators: when it says true the
    // remaining sentences are skipped (left without hypotheses). A stop signal uses it.
    std::function<bool()> stop;
    // Beams up to this size pick each row's best by insertion (cheapest for the usual 1-12),
    // larger ones by selection (O(V + k log k); beam 1000 took minutes by insertion). Both
    // give the same lists; tests set it to 0 to compare them.
    int64_t insertion_max_k = 64;
};

struct Hypothesis {
    std::vector<int64_t> tokens;  // without </s>
    double score = 0;             // F0: sum of log-probabilities, </s> included
    double total = 0;             // score / (tokens + 1)^normalize: the ranking score
};

// Ceiling of the output length, whatever max_length_factor says.
constexpr int64_t kMaxOutputLength = 1 << 16;

// The length normalisation of a finished hypothesis with n tokens (without </s>).
double normalized_score(double score, int64_t n_tokens, double normalize);
// Maximum output length, </s> included, for a source of src_len tokens (with </s>).
int64_t max_output_length(int64_t src_len, double max_length_factor);

// Translates all `sources` (ids without </s>) together, one decoder batch. Returns, per
// sentence, its finished hypotheses best total first (ties: the earlier finished first).
template <typename T>
std::vector<std::vector<Hypothesis>> beam_search(IncrementalDecoder<T>& decoder,
                                                 const std::vector<std::vector<int64_t>>& sources,
                                                 const SearchOptions& opt);

}  // namespace deepnet
