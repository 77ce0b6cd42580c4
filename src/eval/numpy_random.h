// Bit-exact copies of the numpy (1.17+) random draws sacreBLEU's significance.py makes:
// np.random.default_rng(seed) is a PCG64 (XSL-RR 128/64) generator seeded through
// SeedSequence(seed); rng.choice(n, size, replace=True) equals rng.integers(0, n, size,
// dtype=int64) (Lemire's bounded method on 32-bit draws for n <= 2^32), and
// rng.integers(2, size, dtype=bool) takes 32 booleans from each 32-bit draw, low bit first.
// 32-bit draws use the low half of a 64-bit output, then its high half.
#pragma once

#include <cstdint>
#include <vector>

namespace deepnet::eval {

class NumpyGenerator {
public:
    // np.random.default_rng(seed) for a non-negative integer seed below 2^64.
    explicit NumpyGenerator(uint64_t seed);

    // np.random.default_rng(None): seeded from the operating system's entropy.
    static NumpyGenerator from_entropy();

    uint64_t next_uint64();
    uint32_t next_uint32();

    // rng.choice(population, size=count, replace=True) / rng.integers(0, population, count).
    std::vector<int64_t> choice(int64_t population, std::size_t count);

    // rng.integers(2, size=count, dtype=bool).
    std::vector<uint8_t> booleans(std::size_t count);

private:
    NumpyGenerator() = default;
    void seed_words(const std::vector<uint32_t>& entropy);

    unsigned __int128 state_ = 0, inc_ = 0;
    bool has_uint32_ = false;
    uint32_t uinteger_ = 0;
};

}  // namespace deepnet::eval
