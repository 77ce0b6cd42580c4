// Counter-based random numbers: uniform(key, counter) is a pure function, so a dropout mask
// can be regenerated in backward, in a recomputed forward, and on any backend (the CUDA
// twin uses the same two mixing rounds). Mixing is SplitMix64's finaliser, applied twice.
#pragma once

#include <cstdint>

#if defined(__CUDACC__)
#define DEEPNET_HD __host__ __device__ __forceinline__
#else
#define DEEPNET_HD inline
#endif

namespace deepnet::kernels {

DEEPNET_HD uint64_t mix64(uint64_t z) {
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// Uniform in [0, 1) with 24 random bits (exact in float and double).
DEEPNET_HD float uniform01(uint64_t key, uint64_t counter) {
    const uint64_t r = mix64(key ^ mix64(counter));
    return float(r >> 40) * (1.0f / 16777216.0f);
}

// A key for one dropout site from independent parts (seed, step, layer, site id).
DEEPNET_HD uint64_t rng_key(uint64_t seed, uint64_t a, uint64_t b = 0, uint64_t c = 0) {
    return mix64(mix64(mix64(seed ^ 0x5851F42D4C957F2Dull) ^ a) ^ (b * 0x9E3779B97F4A7C15ull)) ^ c;
}

}  // namespace deepnet::kernels
