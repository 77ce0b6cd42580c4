// The one host binary16 conversion (kernels/kernel_types.h), which the CPU's float16 GEMMs
// and the emulated device's __float2half_rn both use: checked against IEEE 754 directly,
// on every binary16 value and every rounding midpoint, not against another implementation.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "kernels/kernel_types.h"
#include "kernels/linear.h"

using namespace deepnet;
using kernels::from_f16;
using kernels::to_f16;

TEST_CASE("binary16: known values", "[kernel][f16]") {
    CHECK(to_f16(1.0f) == 0x3c00);
    CHECK(to_f16(-2.0f) == 0xc000);
    CHECK(to_f16(65504.0f) == 0x7bff);                     // the largest finite value
    CHECK(to_f16(65519.996f) == 0x7bff);                   // below the midpoint to 65536
    CHECK(to_f16(65520.0f) == 0x7c00);                     // the midpoint rounds to even: infinity
    CHECK(to_f16(std::ldexp(1.0f, -24)) == 0x0001);        // the smallest subnormal
    CHECK(to_f16(std::ldexp(1.0f, -25)) == 0x0000);        // half of it: ties to even, zero
    CHECK(to_f16(std::ldexp(1.5f, -25)) == 0x0001);
    CHECK(to_f16(std::ldexp(1.0f, -14)) == 0x0400);        // the smallest normal
    CHECK(to_f16(-0.0f) == 0x8000);
    CHECK(to_f16(std::numeric_limits<float>::infinity()) == 0x7c00);
    CHECK(std::isnan(from_f16(to_f16(std::nanf("")))));
    CHECK(from_f16(0x3555) == Approx(0.333251953125).epsilon(0));
    CHECK(from_f16(0x0001) == std::ldexp(1.0f, -24));
    CHECK(std::isinf(from_f16(0xfc00)));
}

TEST_CASE("binary16: every value round-trips, every midpoint rounds to even", "[kernel][f16]") {
    int bad = 0;
    for (uint32_t h = 0; h < 0x10000; ++h) {
        const float f = from_f16(uint16_t(h));
        if (std::isnan(f)) {
            bad += !std::isnan(from_f16(to_f16(f)));
            continue;
        }
        bad += to_f16(f) != h;
    }
    for (uint16_t h = 0; h < 0x7bff; ++h) {  // consecutive positive finite pairs
        const double lo = from_f16(h), hi = from_f16(uint16_t(h + 1)), mid = (lo + hi) / 2;
        const float m = float(mid);  // exact: binary16 midpoints need 12 significant bits
        REQUIRE(double(m) == mid);
        bad += to_f16(m) != ((h & 1) ? h + 1 : h);
        bad += to_f16(std::nextafter(m, 1e9f)) != h + 1;
        bad += to_f16(std::nextafter(m, 0.f)) != h;
        bad += to_f16(-m) != uint16_t(((h & 1) ? h + 1 : h) | 0x8000);
    }
    CHECK(bad == 0);
}

// MatmulPrecision::Float16: the GEMM of the rounded operands, summed in float32.
TEST_CASE("linear with float16 GEMMs computes on binary16-rounded operands", "[kernel][f16][linear]") {
    const int64_t N = 5, I = 7, O = 3;
    std::vector<float> x(N * I), w(O * I), b(O), y(N * O), y32(N * O);
    for (size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.7f * float(i)) * 3.1f;
    for (size_t i = 0; i < w.size(); ++i) w[i] = std::cos(0.3f * float(i)) * 0.77f;
    for (size_t i = 0; i < b.size(); ++i) b[i] = 0.1f * float(i);
    kernels::cpu::linear_forward<float>(y.data(), x.data(), w.data(), b.data(), N, I, O,
                                        kernels::cpu::MatmulPrecision::Float16);
    kernels::cpu::linear_forward<float>(y32.data(), x.data(), w.data(), b.data(), N, I, O);
    double far = 0;
    for (int64_t n = 0; n < N; ++n)
        for (int64_t o = 0; o < O; ++o) {
            double s = b[o];
            for (int64_t i = 0; i < I; ++i) s += double(from_f16(to_f16(x[n * I + i]))) * from_f16(to_f16(w[o * I + i]));
            CHECK(y[n * O + o] == Approx(s).epsilon(1e-6).margin(1e-6));
            far = std::max(far, std::fabs(y32[n * O + o] - s));
        }
    CHECK(far > 1e-4);  // the float32 GEMM does not match the rounded reference
}
