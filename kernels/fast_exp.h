// exp for the float kernels' hot loops (softmax, cross-entropy). libm's expf is a scalar call
// per element and GCC 12 does not vectorise these loops on its own, so the row helpers below
// use AVX-512 where the build targets it. Algorithm (both paths): Cody-Waite reduction
// x = k ln2 + r, |r| <= ln2/2, Cephes' degree-6 polynomial for e^r, 2^k built in the
// exponent bits. Both paths are within 2 ulp of exp over the float range, give 0 below it
// and +inf above it, and keep NaN (tested). double keeps std::exp (gradient checks).
#pragma once

#include <cmath>
#include <cstdint>

#ifdef __AVX512F__
#include <immintrin.h>
#endif

// GCC 12 warns about its own AVX-512 intrinsics (_mm512_undefined_*) when inlining them.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace deepnet::kernels {

namespace exp_detail {
constexpr float kLo = -87.33654f, kHi = 88.72284f;  // e^kLo: the smallest normal float
constexpr float kLog2e = 1.44269504088896341f, kLn2Hi = 0.693359375f, kLn2Lo = -2.12194440e-4f;
constexpr float kP[6] = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f,
                         4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f};
inline float pow2i(int32_t k) {  // 2^k for -126 <= k <= 127
    return __builtin_bit_cast(float, uint32_t(k + 127) << 23);
}
}  // namespace exp_detail

inline float exp_fast(float in) {
    using namespace exp_detail;
    // Written so that NaN clamps to kLo: converting a NaN k to int below would be undefined
    // behaviour (UBSan's float-cast-overflow found it); the NaN is returned at the end.
    float x = in >= kLo ? in : kLo;
    x = x > kHi ? kHi : x;
    const float k = std::floor(x * kLog2e + 0.5f);
    const float r = (x - k * kLn2Hi) - k * kLn2Lo;
    float p = kP[0];
    for (int i = 1; i < 6; ++i) p = p * r + kP[i];
    p = p * r * r + r + 1.0f;
    // 2^k in two factors: k reaches 128 near the top of the range.
    const int32_t k1 = int32_t(k) >> 1, k2 = int32_t(k) - k1;
    const float y = p * pow2i(k1) * pow2i(k2);
    // NaN stays NaN; underflow gives 0, overflow +inf.
    return in != in ? in : in < kLo ? 0.0f : in > kHi ? INFINITY : y;
}

inline float exp_t(float x) { return exp_fast(x); }
inline double exp_t(double x) { return std::exp(x); }

#ifdef __AVX512F__
inline __m512 exp_fast16(__m512 in) {
    using namespace exp_detail;
    const __m512 x = _mm512_min_ps(_mm512_max_ps(in, _mm512_set1_ps(kLo)), _mm512_set1_ps(kHi));
    const __m512 k = _mm512_roundscale_ps(_mm512_fmadd_ps(x, _mm512_set1_ps(kLog2e), _mm512_set1_ps(0.5f)),
                                          _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(k, _mm512_set1_ps(kLn2Hi), x);
    r = _mm512_fnmadd_ps(k, _mm512_set1_ps(kLn2Lo), r);
    __m512 p = _mm512_set1_ps(kP[0]);
    for (int i = 1; i < 6; ++i) p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kP[i]));
    p = _mm512_fmadd_ps(_mm512_mul_ps(p, r), r, _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    const __m512i ki = _mm512_cvtps_epi32(k);
    const __m512i k1 = _mm512_srai_epi32(ki, 1), k2 = _mm512_sub_epi32(ki, k1);
    const __m512i bias = _mm512_set1_epi32(127);
    const __m512 s1 = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(k1, bias), 23));
    const __m512 s2 = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(k2, bias), 23));
    __m512 y = _mm512_mul_ps(_mm512_mul_ps(p, s1), s2);
    y = _mm512_mask_mov_ps(y, _mm512_cmp_ps_mask(in, _mm512_set1_ps(kLo), _CMP_LT_OQ), _mm512_setzero_ps());
    y = _mm512_mask_mov_ps(y, _mm512_cmp_ps_mask(in, _mm512_set1_ps(kHi), _CMP_GT_OQ), _mm512_set1_ps(INFINITY));
    return _mm512_mask_mov_ps(y, _mm512_cmp_ps_mask(in, in, _CMP_UNORD_Q), in);
}
#endif

// Row helpers: max, (sum of exp(x - shift), sum of x), and out = a * (exp(x - shift) - b).
// row_max may pass over a NaN (max instructions return the other operand); the exp sums of
// the same row bring it back (exp(NaN - m) is NaN), which is what the callers rely on to
// let non-finite logits reach the loss (tested in test_cross_entropy.cpp).
inline float row_max(const float* x, int64_t n) {
    float m = -INFINITY;
    int64_t i = 0;
#ifdef __AVX512F__
    __m512 v = _mm512_set1_ps(-INFINITY);
    for (; i + 16 <= n; i += 16) v = _mm512_max_ps(v, _mm512_loadu_ps(x + i));
    m = _mm512_reduce_max_ps(v);
#endif
    for (; i < n; ++i) m = x[i] > m ? x[i] : m;
    return m;
}

struct ExpSums {
    float exp_sum = 0, sum = 0;
};
inline ExpSums row_exp_sums(const float* x, int64_t n, float shift) {
    ExpSums s;
    int64_t i = 0;
#ifdef __AVX512F__
    __m512 e = _mm512_setzero_ps(), t = _mm512_setzero_ps();
    const __m512 sh = _mm512_set1_ps(shift);
    for (; i + 16 <= n; i += 16) {
        const __m512 v = _mm512_loadu_ps(x + i);
        e = _mm512_add_ps(e, exp_fast16(_mm512_sub_ps(v, sh)));
        t = _mm512_add_ps(t, v);
    }
    s.exp_sum = _mm512_reduce_add_ps(e);
    s.sum = _mm512_reduce_add_ps(t);
#endif
    for (; i < n; ++i) {
        s.exp_sum += exp_fast(x[i] - shift);
        s.sum += x[i];
    }
    return s;
}

inline void row_exp_affine(float* out, const float* x, int64_t n, float shift, float a, float b) {
    int64_t i = 0;
#ifdef __AVX512F__
    const __m512 sh = _mm512_set1_ps(shift), va = _mm512_set1_ps(a), vb = _mm512_set1_ps(b);
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(out + i, _mm512_mul_ps(va, _mm512_sub_ps(exp_fast16(_mm512_sub_ps(_mm512_loadu_ps(x + i), sh)), vb)));
#endif
    for (; i < n; ++i) out[i] = a * (exp_fast(x[i] - shift) - b);
}

}  // namespace deepnet::kernels

#pragma GCC diagnostic pop
