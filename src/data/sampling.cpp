// Temperature sampling across corpora (see sampling.h).
#include "src/data/sampling.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "src/core/error.h"
#include "src/data/data_rng.h"

namespace deepnet {
namespace {

constexpr uint64_t kSampleStream = 1;

// Knuth's selection sampling (Algorithm S): k distinct values of [0, n) in ascending order,
// O(n) time and no O(n) memory, which matters for a 100M-line corpus sampled down.
void select_ascending(int64_t first, int64_t n, int64_t k, DataRng& rng, std::vector<int64_t>& out) {
    for (int64_t i = 0; i < n && k > 0; ++i)
        if (int64_t(rng.below(uint64_t(n - i))) < k) {
            out.push_back(first + i);
            --k;
        }
}

}  // namespace

std::vector<double> sampling_probabilities(const std::vector<int64_t>& sizes, double temperature) {
    DEEPNET_CHECK(temperature > 0, "sampling temperature " << temperature << " must be > 0");
    const double total = double(std::accumulate(sizes.begin(), sizes.end(), int64_t(0)));
    DEEPNET_CHECK(total > 0, "temperature sampling over corpora that are all empty");
    std::vector<double> p(sizes.size(), 0.0);
    for (size_t i = 0; i < sizes.size(); ++i)
        if (sizes[i] > 0) p[i] = std::exp(std::log(double(sizes[i]) / total) / temperature);
    const double z = std::accumulate(p.begin(), p.end(), 0.0);
    for (double& x : p) x /= z;
    return p;
}

std::vector<int64_t> epoch_quotas(const std::vector<int64_t>& sizes, double temperature) {
    // Exact at T = 1, where floating point could otherwise move a pair between corpora.
    if (temperature == 1.0) return sizes;
    const int64_t total = std::accumulate(sizes.begin(), sizes.end(), int64_t(0));
    const std::vector<double> p = sampling_probabilities(sizes, temperature);
    std::vector<int64_t> q(sizes.size());
    std::vector<std::pair<double, size_t>> remainders;
    int64_t assigned = 0;
    for (size_t i = 0; i < sizes.size(); ++i) {
        const double exact = double(total) * p[i];
        q[i] = int64_t(std::floor(exact));
        assigned += q[i];
        remainders.emplace_back(exact - double(q[i]), i);
    }
    // Largest fractional parts first; the index breaks ties so the result is deterministic.
    std::sort(remainders.begin(), remainders.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    for (size_t r = 0; assigned < total; ++r, ++assigned) ++q[remainders[r % remainders.size()].second];
    return q;
}

std::vector<int64_t> sample_epoch(const std::vector<int64_t>& sizes, double temperature,
                                  uint64_t seed, int64_t epoch) {
    const std::vector<int64_t> quotas = epoch_quotas(sizes, temperature);
    std::vector<int64_t> ids;
    ids.reserve(size_t(std::accumulate(quotas.begin(), quotas.end(), int64_t(0))));
    int64_t first = 0;
    for (size_t c = 0; c < sizes.size(); ++c) {
        const int64_t n = sizes[c], q = quotas[c];
        if (n > 0) {
            for (int64_t rep = 0; rep < q / n; ++rep)
                for (int64_t i = 0; i < n; ++i) ids.push_back(first + i);
            DataRng rng(seed, uint64_t(epoch), (uint64_t(c) << 8) | kSampleStream);
            select_ascending(first, n, q % n, rng, ids);
        }
        first += n;
    }
    return ids;
}

}  // namespace deepnet
