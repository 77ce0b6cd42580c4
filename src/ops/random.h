// The counter-based RNG of the kernels (kernels/counter_rng.h) for the code above them:
// dropout keys, parameter init and the generated task draw from the same generator, so a
// CUDA twin regenerates every mask and every initial weight bit for bit.
#pragma once

#include <cstdint>

#include "kernels/counter_rng.h"

namespace deepnet::ops {

inline uint64_t mix64(uint64_t z) { return kernels::mix64(z); }
inline float uniform01(uint64_t key, uint64_t counter) { return kernels::uniform01(key, counter); }
inline uint64_t rng_key(uint64_t seed, uint64_t a, uint64_t b = 0, uint64_t c = 0) {
    return kernels::rng_key(seed, a, b, c);
}

}  // namespace deepnet::ops
