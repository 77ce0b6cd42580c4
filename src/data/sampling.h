// Temperature sampling across corpora (fairseq's multilingual sampling): with corpus sizes
// n_i and N = sum n_i, corpus i gets probability p_i ~ (n_i / N)^(1/T). T = 1 is
// proportional to size, T -> infinity uniform across corpora. An epoch keeps N pairs in
// total; corpus i contributes q_i = N * p_i of them, rounded by largest remainder so the
// q_i sum to N exactly (each q_i is the floor or the ceiling of N * p_i).
// Drawing is without replacement while possible: q_i <= n_i takes q_i distinct pairs;
// q_i > n_i takes every pair floor(q_i / n_i) times plus q_i mod n_i distinct ones, so an
// upsampled corpus repeats each pair evenly instead of at random.
#pragma once

#include <cstdint>
#include <vector>

namespace deepnet {

std::vector<double> sampling_probabilities(const std::vector<int64_t>& sizes, double temperature);
std::vector<int64_t> epoch_quotas(const std::vector<int64_t>& sizes, double temperature);

// The global pair ids of one epoch, corpus by corpus (corpus c owns ids
// [sum of sizes before c, + sizes[c])), each corpus's ids ascending within every repeat.
// Depends only on (sizes, temperature, seed, epoch).
std::vector<int64_t> sample_epoch(const std::vector<int64_t>& sizes, double temperature,
                                  uint64_t seed, int64_t epoch);

}  // namespace deepnet
