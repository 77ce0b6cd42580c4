// numpy's SeedSequence, PCG64 and bounded-integer code (bit_generator.pyx, pcg64.h,
// distributions.c) transcribed; checked against numpy 1.24 (docs/metrics.md).
#include "src/eval/numpy_random.h"

#include <random>

#include "src/core/error.h"

namespace deepnet::eval {

namespace {

using u128 = unsigned __int128;

constexpr uint32_t kInitA = 0x43b0d7e5, kMultA = 0x931e8875;
constexpr uint32_t kInitB = 0x8b51f9dd, kMultB = 0x58f38ded;
constexpr uint32_t kMixMultL = 0xca01f9dd, kMixMultR = 0x4973f715;
constexpr int kPoolSize = 4;

uint32_t hashmix(uint32_t value, uint32_t& hash_const) {
    value ^= hash_const;
    hash_const *= kMultA;
    value *= hash_const;
    value ^= value >> 16;
    return value;
}

uint32_t mix(uint32_t x, uint32_t y) {
    uint32_t r = kMixMultL * x - kMixMultR * y;
    r ^= r >> 16;
    return r;
}

// SeedSequence(entropy).generate_state(4, np.uint64)
std::vector<uint64_t> seed_sequence_state(const std::vector<uint32_t>& entropy) {
    uint32_t pool[kPoolSize];
    uint32_t hash_const = kInitA;
    for (int i = 0; i < kPoolSize; ++i)
        pool[i] = hashmix(i < static_cast<int>(entropy.size()) ? entropy[i] : 0, hash_const);
    for (int src = 0; src < kPoolSize; ++src)
        for (int dst = 0; dst < kPoolSize; ++dst)
            if (src != dst) pool[dst] = mix(pool[dst], hashmix(pool[src], hash_const));
    for (std::size_t src = kPoolSize; src < entropy.size(); ++src)
        for (int dst = 0; dst < kPoolSize; ++dst)
            pool[dst] = mix(pool[dst], hashmix(entropy[src], hash_const));
    uint32_t words[8];
    uint32_t hb = kInitB;
    for (int i = 0; i < 8; ++i) {
        uint32_t v = pool[i % kPoolSize];
        v ^= hb;
        hb *= kMultB;
        v *= hb;
        v ^= v >> 16;
        words[i] = v;
    }
    std::vector<uint64_t> out(4);
    for (int i = 0; i < 4; ++i) out[i] = words[2 * i] | (static_cast<uint64_t>(words[2 * i + 1]) << 32);
    return out;
}

constexpr u128 kMultiplier = (static_cast<u128>(0x2360ED051FC65DA4ULL) << 64) | 0x4385DF649FCCF645ULL;

}  // namespace

NumpyGenerator::NumpyGenerator(uint64_t seed) {
    // _int_to_uint32_array: little-endian 32-bit words, [0] for 0.
    std::vector<uint32_t> entropy{static_cast<uint32_t>(seed)};
    if (seed >> 32) entropy.push_back(static_cast<uint32_t>(seed >> 32));
    seed_words(entropy);
}

NumpyGenerator NumpyGenerator::from_entropy() {
    std::random_device rd;
    std::vector<uint32_t> entropy(4);  // SeedSequence() draws 128 bits
    for (uint32_t& w : entropy) w = rd();
    NumpyGenerator g;
    g.seed_words(entropy);
    return g;
}

void NumpyGenerator::seed_words(const std::vector<uint32_t>& entropy) {
    const std::vector<uint64_t> s = seed_sequence_state(entropy);
    const u128 initstate = (static_cast<u128>(s[0]) << 64) | s[1];
    const u128 initseq = (static_cast<u128>(s[2]) << 64) | s[3];
    // pcg_setseq_128_srandom_r
    state_ = 0;
    inc_ = (initseq << 1) | 1;
    state_ = state_ * kMultiplier + inc_;
    state_ += initstate;
    state_ = state_ * kMultiplier + inc_;
    has_uint32_ = false;
}

uint64_t NumpyGenerator::next_uint64() {
    state_ = state_ * kMultiplier + inc_;  // step, then output the new state (XSL-RR)
    const uint64_t x = static_cast<uint64_t>(state_ >> 64) ^ static_cast<uint64_t>(state_);
    const unsigned rot = static_cast<unsigned>(state_ >> 122);
    return (x >> rot) | (x << ((64 - rot) & 63));
}

uint32_t NumpyGenerator::next_uint32() {
    if (has_uint32_) {
        has_uint32_ = false;
        return uinteger_;
    }
    const uint64_t next = next_uint64();
    has_uint32_ = true;
    uinteger_ = static_cast<uint32_t>(next >> 32);
    return static_cast<uint32_t>(next & 0xffffffffULL);
}

std::vector<int64_t> NumpyGenerator::choice(int64_t population, std::size_t count) {
    DEEPNET_CHECK(population >= 1 && population <= 0xFFFFFFFFLL,
                  "choice population " << population << " outside 1..2^32-1");
    std::vector<int64_t> out(count, 0);
    const uint32_t rng = static_cast<uint32_t>(population - 1);
    if (rng == 0) return out;  // numpy draws nothing
    const uint32_t rng_excl = rng + 1;
    for (std::size_t i = 0; i < count; ++i) {
        // buffered_bounded_lemire_uint32
        uint64_t m = static_cast<uint64_t>(next_uint32()) * rng_excl;
        uint32_t leftover = static_cast<uint32_t>(m);
        if (leftover < rng_excl) {
            const uint32_t threshold = (UINT32_MAX - rng) % rng_excl;
            while (leftover < threshold) {
                m = static_cast<uint64_t>(next_uint32()) * rng_excl;
                leftover = static_cast<uint32_t>(m);
            }
        }
        out[i] = static_cast<int64_t>(m >> 32);
    }
    return out;
}

std::vector<uint8_t> NumpyGenerator::booleans(std::size_t count) {
    std::vector<uint8_t> out(count);
    uint32_t buf = 0;
    int bcnt = 0;
    for (std::size_t i = 0; i < count; ++i) {
        if (bcnt == 0) {
            buf = next_uint32();
            bcnt = 31;
        } else {
            buf >>= 1;
            --bcnt;
        }
        out[i] = buf & 1u;
    }
    return out;
}

}  // namespace deepnet::eval
