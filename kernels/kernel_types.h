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

// IEEE binary16 (`precision: [float16, float32]` GEMM operands): 5 exponent bits, 10
// fraction bits, largest finite 65504, subnormals down to 2^-24. to_f16 rounds to nearest
// even as the device's __float2half_rn: beyond the largest finite value is infinity, below
// the normal range the result is a subnormal (or zero), and a NaN stays a quiet NaN.
struct f16 {
    uint16_t bits;
};

inline uint16_t to_f16(float x) {
    uint32_t u;
    std::memcpy(&u, &x, 4);
    const uint16_t sign = uint16_t((u >> 16) & 0x8000u);
    const uint32_t a = u & 0x7fffffffu;
    if (a > 0x7f800000u) return uint16_t(sign | 0x7e00u | ((a >> 13) & 0x3ffu));  // NaN
    if (a >= 0x477ff000u) return uint16_t(sign | 0x7c00u);  // 65520 and up (ties to even) -> inf
    if (a < 0x38800000u) {  // below 2^-14: a multiple of 2^-24, the unit of the subnormals
        float f;
        std::memcpy(&f, &a, 4);
        const float units = f * 16777216.0f;  // exact: a power-of-two scaling
        uint32_t m = uint32_t(units);
        const float rest = units - float(m);
        if (rest > 0.5f || (rest == 0.5f && (m & 1u))) ++m;  // ties to even; 1024 is 2^-14
        return uint16_t(sign | m);
    }
    const uint32_t r = a - 0x38000000u;  // the exponent rebiased from 127 to 15
    return uint16_t(sign | ((r + 0xfffu + ((r >> 13) & 1u)) >> 13));
}

inline float from_f16(uint16_t h) {
    const uint32_t sign = uint32_t(h & 0x8000u) << 16, e = (h >> 10) & 0x1fu, m = h & 0x3ffu;
    float f;
    if (e == 0) {  // zero or subnormal: m x 2^-24
        f = float(m) * (1.0f / 16777216.0f);
        uint32_t u;
        std::memcpy(&u, &f, 4);
        u |= sign;
        std::memcpy(&f, &u, 4);
        return f;
    }
    const uint32_t u = sign | (e == 31 ? 0x7f800000u | (m << 13) : ((e + 112u) << 23) | (m << 13));
    std::memcpy(&f, &u, 4);
    return f;
}

}  // namespace deepnet::kernels
