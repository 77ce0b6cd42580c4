// The random stream of the data pipeline: SplitMix64 keyed by (seed, epoch, purpose), and
// a Fisher-Yates shuffle on top of it. Written out rather than std::shuffle with
// std::mt19937 because the standard leaves std::shuffle's and the distributions'
// algorithms to the library, and the data order must be the same on every platform.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace deepnet {

class DataRng {
public:
    // Independent streams for each (seed, a, b): e.g. (seed, epoch, corpus).
    DataRng(uint64_t seed, uint64_t a, uint64_t b = 0) : state_(seed) {
        state_ = mix(state_ ^ mix(a + 0x632be59bd9b4e019ull));
        state_ = mix(state_ ^ mix(b + 0x85157af5a3b2c9c1ull));
    }

    uint64_t next() { return mix(state_ += 0x9e3779b97f4a7c15ull); }

    // Uniform in [0, n), without modulo bias (rejection of the short last bucket).
    uint64_t below(uint64_t n) {
        const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
        uint64_t r;
        do r = next();
        while (r >= limit);
        return r % n;
    }

private:
    static uint64_t mix(uint64_t z) {
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    uint64_t state_;
};

template <class T>
void deterministic_shuffle(std::vector<T>& v, DataRng& rng) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
}

}  // namespace deepnet
