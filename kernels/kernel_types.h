// Types shared by the CPU and CUDA entry points of the kernels: bfloat16 storage and the
// CUDA stream handle. Declared the way the CUDA headers declare them, so every kernels/<op>.h
// compiles in a CPU compiler without CUDA headers.
//
// bf16 is the top 16 bits of an IEEE float. The one host conversion, to_bf16, rounds to
// nearest even (as the device's __float2bfloat16_rn) and keeps a NaN a quiet NaN of the same
// sign (plain rounding could carry a NaN's payload into the exponent and make it infinity).
#pragma once

#include <cstdint>
#include <cstring>

typedef struct CUstream_st* cudaStream_t;

namespace deepnet::kernels {

struct bf16 {
    uint16_t bits;
};

inline uint16_t to_bf16(float x) {
    uint32_t u;
    std::memcpy(&u, &x, 4);
    return (u & 0x7fffffffu) > 0x7f800000u ? uint16_t((u >> 16) | 0x40u)
                                           : uint16_t((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

inline float from_bf16(uint16_t b) {
    const uint32_t u = uint32_t(b) << 16;
    float x;
    std::memcpy(&x, &u, 4);
    return x;
}

inline bf16 float_to_bf16(float f) { return bf16{to_bf16(f)}; }
inline float bf16_to_float(bf16 h) { return from_bf16(h.bits); }

}  // namespace deepnet::kernels
