// significance.py's tests (significance.h).
#include "src/eval/significance.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "src/core/error.h"
#include "src/eval/float_means.h"
#include "src/eval/numpy_random.h"

namespace deepnet::eval {

namespace {

NumpyGenerator make_rng(std::optional<uint64_t> seed) {
    return seed ? NumpyGenerator(*seed) : NumpyGenerator::from_entropy();
}

// The resampled statistics of _bootstrap_resample / _paired_bs_test: np.array(stats,
// dtype='float32')[idxs].sum(0), one float32 running sum per column in segment order.
class Float32Stats {
public:
    explicit Float32Stats(const SystemStats& s) : n_(s.segments.size()), k_(s.segments.at(0).size()) {
        values_.reserve(n_ * k_);
        for (const auto& seg : s.segments)
            for (double v : seg) values_.push_back(static_cast<float>(v));
    }

    // Scores of each resample; idxs holds n_samples rows of n segment indices.
    std::vector<double> scores(const MetricSpec& spec, const std::vector<int64_t>& idxs) const {
        const std::size_t samples = idxs.size() / n_;
        std::vector<double> out(samples);
        std::vector<float> sum(k_);
        std::vector<double> summed(k_);
        for (std::size_t s = 0; s < samples; ++s) {
            std::fill(sum.begin(), sum.end(), 0.0f);
            const int64_t* row = idxs.data() + s * n_;
            for (std::size_t j = 0; j < n_; ++j) {
                const float* seg = values_.data() + static_cast<std::size_t>(row[j]) * k_;
                for (std::size_t c = 0; c < k_; ++c) sum[c] += seg[c];
            }
            for (std::size_t c = 0; c < k_; ++c) summed[c] = sum[c];
            out[s] = metric_score(spec, summed, StatsArith::Float32);
        }
        return out;
    }

private:
    std::size_t n_, k_;
    std::vector<float> values_;
};

// significance.estimate_ci: numpy mean of the sorted scores, 95% half-width.
ConfidenceInterval estimate_ci(std::vector<double> scores, bool python_statistics_mean) {
    std::sort(scores.begin(), scores.end());
    const std::size_t n = scores.size(), lower = n / 40, upper = n - lower - 1;
    ConfidenceInterval r;
    r.ci = 0.5 * (scores[upper] - scores[lower]);
    r.mean = python_statistics_mean ? python_mean(scores) : numpy_mean(scores);
    return r;
}

// PairedTest's n_jobs: 0 = half the cores (hyper-threads aside), at most one per system.
std::size_t paired_workers(int jobs, std::size_t systems) {
    std::size_t n = static_cast<std::size_t>(jobs);
    if (jobs == 0) n = std::max<std::size_t>(1, std::thread::hardware_concurrency() / 2);
    return std::max<std::size_t>(1, std::min(n, systems));
}

// task(0) .. task(count - 1) on `workers` threads; the first exception is rethrown here.
void run_workers(std::size_t count, std::size_t workers, const std::function<void(std::size_t)>& task) {
    if (workers <= 1) {
        for (std::size_t k = 0; k < count; ++k) task(k);
        return;
    }
    std::atomic<std::size_t> next{0};
    std::exception_ptr error;
    std::mutex error_mutex;
    std::vector<std::thread> threads;
    for (std::size_t w = 0; w < workers; ++w) {
        threads.emplace_back([&] {
            for (std::size_t k = next++; k < count; k = next++) {
                try {
                    task(k);
                } catch (...) {
                    const std::lock_guard<std::mutex> lock(error_mutex);
                    if (!error) error = std::current_exception();
                }
            }
        });
    }
    for (std::thread& t : threads) t.join();
    if (error) std::rethrow_exception(error);
}

double p_value(std::size_t exceed, std::size_t trials) {
    return static_cast<double>(exceed + 1) / static_cast<double>(trials + 1);
}

// One paired bootstrap comparison; idxs shared by baseline and system.
PairedResult bootstrap_pair(const MetricSpec& spec, const SystemStats& bl, double bl_score,
                            const SystemStats& sys, const std::vector<int64_t>& idxs) {
    PairedResult r;
    r.score = metric_score(spec, sum_stats(sys));
    const double diff = std::abs(bl_score - r.score);
    const std::vector<double> scores_bl = Float32Stats(bl).scores(spec, idxs);
    const std::vector<double> scores_sys = Float32Stats(sys).scores(spec, idxs);
    const ConfidenceInterval ci = estimate_ci(scores_sys, false);
    r.mean = ci.mean;
    r.ci = ci.ci;
    std::vector<double> diffs(scores_sys.size());
    for (std::size_t k = 0; k < diffs.size(); ++k) diffs[k] = std::abs(scores_sys[k] - scores_bl[k]);
    const double mean = numpy_mean(diffs);
    std::size_t exceed = 0;
    for (double d : diffs) exceed += (d - mean) > diff;
    r.p_value = p_value(exceed, diffs.size());
    return r;
}

// One approximate randomization comparison. shuf_a = pos @ bl + neg @ sys and
// shuf_b = neg @ bl + pos @ sys, each product summed over segments in order.
PairedResult ar_pair(const MetricSpec& spec, const SystemStats& bl, double bl_score,
                     const SystemStats& sys, const std::vector<uint8_t>& pos, std::size_t trials) {
    PairedResult r;
    r.score = metric_score(spec, sum_stats(sys));
    const double diff = std::abs(bl_score - r.score);
    const std::size_t n = bl.segments.size(), k = bl.segments.at(0).size();
    std::vector<double> pos_bl(k), neg_bl(k), pos_sys(k), neg_sys(k), a(k), b(k);
    std::size_t exceed = 0;
    for (std::size_t t = 0; t < trials; ++t) {
        std::fill(pos_bl.begin(), pos_bl.end(), 0.0);
        std::fill(neg_bl.begin(), neg_bl.end(), 0.0);
        std::fill(pos_sys.begin(), pos_sys.end(), 0.0);
        std::fill(neg_sys.begin(), neg_sys.end(), 0.0);
        const uint8_t* row = pos.data() + t * n;
        for (std::size_t i = 0; i < n; ++i) {
            const std::vector<double>& sb = bl.segments[i];
            const std::vector<double>& ss = sys.segments[i];
            if (row[i]) {
                for (std::size_t c = 0; c < k; ++c) pos_bl[c] += sb[c], pos_sys[c] += ss[c];
            } else {
                for (std::size_t c = 0; c < k; ++c) neg_bl[c] += sb[c], neg_sys[c] += ss[c];
            }
        }
        for (std::size_t c = 0; c < k; ++c) {
            a[c] = pos_bl[c] + neg_sys[c];
            b[c] = neg_bl[c] + pos_sys[c];
        }
        exceed += std::abs(metric_score(spec, a) - metric_score(spec, b)) > diff;
    }
    r.p_value = p_value(exceed, trials);
    return r;
}

}  // namespace

TestSeed test_seed_from_env() {
    const char* env = std::getenv("SACREBLEU_SEED");
    const std::string text = env ? env : "12345";
    std::string lower = text;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (lower == "none") return {std::nullopt, "none"};
    std::size_t used = 0;
    unsigned long long v = 0;
    bool ok = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
    if (ok) {
        try {
            v = std::stoull(text, &used);
        } catch (const std::exception&) {
            ok = false;
        }
    }
    DEEPNET_USER_CHECK(ok && used == text.size(),
                       "SACREBLEU_SEED='" << text << "' is not a seed: set it to an integer in 0.."
                                          << UINT64_MAX << " or to 'none', or unset it (12345)");
    return {static_cast<uint64_t>(v), std::to_string(v)};
}

ConfidenceInterval bootstrap_confidence(const MetricSpec& spec, const SystemStats& stats,
                                        int n_samples, const TestSeed& seed) {
    const std::size_t n = stats.segments.size();
    NumpyGenerator rng = make_rng(seed.value);
    const std::vector<int64_t> idxs = rng.choice(static_cast<int64_t>(n), static_cast<std::size_t>(n_samples) * n);
    return estimate_ci(Float32Stats(stats).scores(spec, idxs), true);
}

std::vector<std::vector<PairedResult>> paired_test(const std::vector<MetricSystems>& metrics,
                                                   PairedTestKind kind, int n_samples,
                                                   const TestSeed& seed, int jobs) {
    DEEPNET_CHECK(!metrics.empty() && metrics[0].systems.size() >= 2, "paired test needs two systems");
    const std::size_t n = metrics[0].systems[0].segments.size();
    const std::size_t n_sys = metrics[0].systems.size();
    const auto count = static_cast<std::size_t>(n_samples) * n;
    std::vector<std::vector<PairedResult>> out(metrics.size());
    std::vector<double> bl_scores;
    // The baseline: its score, and for the bootstrap test a confidence interval from
    // _bootstrap_resample (a fresh default_rng(seed) per metric; seed 0 is a seed here).
    for (std::size_t m = 0; m < metrics.size(); ++m) {
        const MetricSystems& ms = metrics[m];
        PairedResult bl;
        bl.score = metric_score(ms.spec, sum_stats(ms.systems[0]));
        bl_scores.push_back(bl.score);
        if (kind == PairedTestKind::Bootstrap) {
            NumpyGenerator rng = make_rng(seed.value);
            const std::vector<int64_t> idxs = rng.choice(static_cast<int64_t>(n), count);
            const ConfidenceInterval ci =
                estimate_ci(Float32Stats(ms.systems[0]).scores(ms.spec, idxs), false);
            bl.mean = ci.mean;
            bl.ci = ci.ci;
        }
        out[m].push_back(bl);
    }
    // Each system: default_rng(seed or None), one draw shared by all metrics. Systems
    // share nothing, so workers give the same results as one loop.
    const std::optional<uint64_t> sys_seed =
        seed.value && *seed.value != 0 ? seed.value : std::nullopt;
    std::vector<std::vector<PairedResult>> per_system(n_sys);  // [system][metric]
    auto compare = [&](std::size_t s) {
        NumpyGenerator rng = make_rng(sys_seed);
        if (kind == PairedTestKind::Bootstrap) {
            const std::vector<int64_t> idxs = rng.choice(static_cast<int64_t>(n), count);
            for (std::size_t m = 0; m < metrics.size(); ++m)
                per_system[s].push_back(bootstrap_pair(metrics[m].spec, metrics[m].systems[0], bl_scores[m],
                                                       metrics[m].systems[s], idxs));
        } else {
            const std::vector<uint8_t> pos = rng.booleans(count);
            for (std::size_t m = 0; m < metrics.size(); ++m)
                per_system[s].push_back(ar_pair(metrics[m].spec, metrics[m].systems[0], bl_scores[m],
                                                metrics[m].systems[s], pos, static_cast<std::size_t>(n_samples)));
        }
    };
    run_workers(n_sys - 1, paired_workers(jobs, n_sys - 1), [&](std::size_t k) { compare(k + 1); });
    for (std::size_t s = 1; s < n_sys; ++s)
        for (std::size_t m = 0; m < metrics.size(); ++m) out[m].push_back(per_system[s][m]);
    return out;
}

}  // namespace deepnet::eval
