// sacreBLEU 2.x's statistical tests (significance.py, Score.estimate_ci), reproduced to
// the bit with numpy's generator (numpy_random.h), float32 statistics and means
// (float_means.h):
//   - confidence interval (--confidence): n bootstrap resamples of the segments
//     (rng.choice), each scored from float32-summed statistics; mean (statistics.mean)
//     and half the width of the central 95% of the sorted scores;
//   - paired bootstrap (--paired-bs): the same resamples for baseline and system;
//     p = (#{|d_k| - mean|d| > |delta|} + 1) / (n + 1), d_k the resampled differences;
//     system and baseline get numpy-mean confidence intervals;
//   - paired approximate randomization (--paired-ar): n trials swap each segment's
//     statistics between the two systems with probability 1/2 (rng.integers(2, bool));
//     p = (#{|score_a - score_b| > |delta|} + 1) / (n + 1).
// Each test draws from np.random.default_rng(seed), re-created for every system; the seed
// comes from SACREBLEU_SEED (default 12345, "none" for the OS's entropy), as in sacreBLEU,
// whose paired tests also take seed 0 as "no seed".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "src/eval/metric_spec.h"

namespace deepnet::eval {

struct TestSeed {
    std::optional<uint64_t> value;  // nullopt: OS entropy
    std::string text;               // the signature's "seed:" value, e.g. "12345", "none"
};

// SACREBLEU_SEED as sacreBLEU reads it; an invalid value is a UserError.
TestSeed test_seed_from_env();

struct ConfidenceInterval {
    double mean = 0.0;
    double ci = 0.0;  // half-width of the 95% interval
};

// Metric.corpus_score(n_bootstrap=n): _bootstrap_resample + Score.estimate_ci.
ConfidenceInterval bootstrap_confidence(const MetricSpec& spec, const SystemStats& stats,
                                        int n_samples, const TestSeed& seed);

struct PairedResult {
    double score = 0.0;
    std::optional<double> p_value;  // unset for the baseline
    std::optional<double> mean, ci; // paired bootstrap only
};

enum class PairedTestKind { Bootstrap, ApproximateRandomization };

struct MetricSystems {
    MetricSpec spec;
    std::vector<SystemStats> systems;  // [0] is the baseline
};

// PairedTest(...)(): results[m][s] for metric m, system s (s = 0 the baseline). `jobs`
// is PairedTest's n_jobs (--paired-jobs): the systems are compared on that many threads
// (0: half the cores), at most one per system. Each comparison seeds its own generator, as
// sacreBLEU's workers do, so the results are the same for any value.
std::vector<std::vector<PairedResult>> paired_test(const std::vector<MetricSystems>& metrics,
                                                   PairedTestKind kind, int n_samples,
                                                   const TestSeed& seed, int jobs = 1);

}  // namespace deepnet::eval
