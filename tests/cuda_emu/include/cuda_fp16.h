// Emulated cuda_fp16.h: a 2-byte IEEE binary16 with the device's round-to-nearest-even
// conversion (kernels/kernel_types.h holds the one host implementation; its test checks
// every binary16 value and every rounding midpoint).
#pragma once

#include <cstdint>

#include "emu.h"
#include "kernels/kernel_types.h"

struct __half {
    unsigned short x;
};
inline __half __float2half_rn(float f) { return {deepnet::kernels::to_f16(f)}; }
inline float __half2float(__half h) { return deepnet::kernels::from_f16(h.x); }
inline unsigned short __half_as_ushort(__half h) { return h.x; }
inline __half __ushort_as_half(unsigned short u) { return {u}; }
