// exp_fast and its AVX-512 twin: within 2 ulp of exp (in double) over the float range, 0
// below it, +inf above it, NaN stays NaN; plus the row helpers built on them.
#include <cmath>
#include <limits>
#include <vector>

#ifdef __AVX512F__
#include <immintrin.h>
#endif

#include "kernels/fast_exp.h"
#include "support/gradcheck.h"

using deepnet::kernels::exp_fast;

TEST_CASE("exp_fast is within 2 ulp of exp", "[kernel][exp]") {
    double worst_ulp = 0;
    float worst_x = 0;
    for (float x = -87.3f; x < 88.7f; x += 0.000731f) {
        const double ref = std::exp(double(x));
        const float got = exp_fast(x);
        const double ulp = std::ldexp(1.0, std::ilogb(ref) - 23);
        const double err = std::fabs(double(got) - ref) / ulp;
        if (err > worst_ulp) worst_ulp = err, worst_x = x;
    }
    INFO("worst " << worst_ulp << " ulp at x = " << worst_x);
    CHECK(worst_ulp < 2.0);
    CHECK(exp_fast(0.f) == 1.f);
    CHECK(exp_fast(-100.f) == 0.f);
    CHECK(exp_fast(-std::numeric_limits<float>::infinity()) == 0.f);
    CHECK(std::isnan(exp_fast(std::numeric_limits<float>::quiet_NaN())));
    CHECK(exp_fast(88.7f) > 3e38f);
    CHECK(std::isfinite(exp_fast(88.72f)));
    CHECK(exp_fast(88.73f) == std::numeric_limits<float>::infinity());
    CHECK(exp_fast(std::numeric_limits<float>::infinity()) == std::numeric_limits<float>::infinity());
}

#ifdef __AVX512F__
TEST_CASE("exp_fast16 (AVX-512) is within 2 ulp of exp and handles the edges", "[kernel][exp]") {
    double worst_ulp = 0;
    float worst_x = 0;
    alignas(64) float in[16], out[16];
    for (float x0 = -87.3f; x0 < 88.7f; x0 += 16 * 0.000731f) {
        for (int l = 0; l < 16; ++l) in[l] = std::min(x0 + float(l) * 0.000731f, 88.72f);
        _mm512_store_ps(out, deepnet::kernels::exp_fast16(_mm512_load_ps(in)));
        for (int l = 0; l < 16; ++l) {
            const double ref = std::exp(double(in[l]));
            const double ulp = std::ldexp(1.0, std::ilogb(ref) - 23);
            const double err = std::fabs(double(out[l]) - ref) / ulp;
            if (err > worst_ulp) worst_ulp = err, worst_x = in[l];
        }
    }
    INFO("worst " << worst_ulp << " ulp at x = " << worst_x);
    CHECK(worst_ulp < 2.0);
    const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
    const float edge[16] = {-inf, -100.f, -87.4f, -87.3f, 0.f, 1.f, 88.72f, 88.73f, inf, nan,
                            -0.f, 1e-8f, -1e-8f, 50.f, -50.f, 2.f};
    for (int l = 0; l < 16; ++l) in[l] = edge[l];
    _mm512_store_ps(out, deepnet::kernels::exp_fast16(_mm512_load_ps(in)));
    for (int l = 0; l < 16; ++l) {
        CAPTURE(l, edge[l]);
        const float scalar = exp_fast(edge[l]);
        if (std::isnan(scalar)) CHECK(std::isnan(out[l]));
        else CHECK(out[l] == Approx(scalar).epsilon(3e-7));  // the two paths agree at the edges
    }
    CHECK(out[0] == 0.f);
    CHECK(out[7] == inf);
    CHECK(out[8] == inf);
    CHECK(std::isnan(out[9]));
}
#endif

TEST_CASE("row helpers (AVX-512 where built) agree with exp in double", "[kernel][exp]") {
    namespace k = deepnet::kernels;
    // 1,000 and 37 elements: the vector body and the scalar tail.
    for (int64_t n : {int64_t(1000), int64_t(37)}) {
        const auto xd = deepnet::test::random_vec(size_t(n), 7, 20.0);
        std::vector<float> x(xd.begin(), xd.end());
        x[3] = -200.f;  // underflows to exactly 0
        double mx = -1e300, es = 0, s = 0;
        for (float v : x) mx = std::max(mx, double(v));
        CHECK(k::row_max(x.data(), n) == float(mx));
        for (float v : x) es += std::exp(double(v) - mx), s += v;
        const k::ExpSums got = k::row_exp_sums(x.data(), n, float(mx));
        CHECK(got.exp_sum == Approx(es).epsilon(1e-5));
        CHECK(got.sum == Approx(s).epsilon(1e-5).margin(1e-3));
        std::vector<float> out(static_cast<size_t>(n), 0.f);
        k::row_exp_affine(out.data(), x.data(), n, float(mx), 2.f, 0.25f);
        for (int64_t i = 0; i < n; ++i) {
            const double ref = 2 * (std::exp(double(x[size_t(i)]) - mx) - 0.25);
            REQUIRE(out[size_t(i)] == Approx(ref).epsilon(1e-6).margin(1e-7));
        }
        CHECK(out[3] == -0.5f);
    }
}
