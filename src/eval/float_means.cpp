// Exact and pairwise means (float_means.h).
#include "src/eval/float_means.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "src/core/error.h"

namespace deepnet::eval {

namespace {

// numpy's pairwise_sum_DOUBLE (loops_utils.h), PW_BLOCKSIZE 128, unroll 8.
double pairwise_sum(const double* a, std::size_t n) {
    if (n < 8) {
        double res = 0.0;
        for (std::size_t i = 0; i < n; ++i) res += a[i];
        return res;
    }
    if (n <= 128) {
        double r[8];
        for (int j = 0; j < 8; ++j) r[j] = a[j];
        std::size_t i = 8;
        for (; i < n - (n % 8); i += 8)
            for (int j = 0; j < 8; ++j) r[j] += a[i + j];
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; ++i) res += a[i];
        return res;
    }
    std::size_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise_sum(a, n2) + pairwise_sum(a + n2, n - n2);
}

// Fixed-point accumulator: bit k of `limbs` weighs 2^(k - 1074), enough for any finite
// double plus 64 bits of carry.
constexpr int kLimbs = 36;
using Big = uint64_t[kLimbs];

void add_double(Big acc, double v) {
    int exp;
    const double frac = std::frexp(v, &exp);  // v = frac * 2^exp, 0.5 <= frac < 1
    uint64_t mant = static_cast<uint64_t>(std::ldexp(frac, 53));
    int shift = exp - 53 + 1074;  // bit position of mant's lowest bit
    if (shift < 0) {              // subnormal: the low bits are zero
        mant >>= -shift;
        shift = 0;
    }
    const int limb = shift / 64, bit = shift % 64;
    unsigned __int128 carry = static_cast<unsigned __int128>(mant) << bit;
    for (int k = limb; k < kLimbs && carry != 0; ++k) {
        carry += acc[k];
        acc[k] = static_cast<uint64_t>(carry);
        carry >>= 64;
    }
}

}  // namespace

double numpy_mean(const std::vector<double>& values) {
    DEEPNET_CHECK(!values.empty(), "mean of no values");
    return pairwise_sum(values.data(), values.size()) / static_cast<double>(values.size());
}

double python_mean(const std::vector<double>& values) {
    DEEPNET_CHECK(!values.empty(), "mean of no values");
    Big acc = {};
    for (double v : values) {
        DEEPNET_CHECK(std::isfinite(v) && v >= 0, "python_mean takes finite values >= 0, got " << v);
        if (v > 0) add_double(acc, v);
    }
    // Divide by n, keeping whether a remainder is left (sticky bit for rounding).
    const uint64_t n = values.size();
    unsigned __int128 rem = 0;
    for (int k = kLimbs - 1; k >= 0; --k) {
        const unsigned __int128 cur = (rem << 64) | acc[k];
        acc[k] = static_cast<uint64_t>(cur / n);
        rem = cur % n;
    }
    int top = kLimbs - 1;
    while (top >= 0 && acc[top] == 0) --top;
    if (top < 0) return 0.0;  // the mean is below the smallest subnormal
    const int high_bit = top * 64 + (63 - __builtin_clzll(acc[top]));
    auto bit_at = [&](int b) { return b >= 0 && ((acc[b / 64] >> (b % 64)) & 1u); };
    // Keep 53 bits from high_bit down (fewer if the value is subnormal).
    const int low_keep = std::max(high_bit - 52, 0);
    uint64_t mant = 0;
    for (int b = high_bit; b >= low_keep; --b) mant = (mant << 1) | (bit_at(b) ? 1u : 0u);
    bool half = bit_at(low_keep - 1), sticky = rem != 0;
    for (int b = low_keep - 2; b >= 0 && !sticky; --b) sticky = bit_at(b);
    if (half && (sticky || (mant & 1u))) ++mant;  // round half to even
    return std::ldexp(static_cast<double>(mant), low_keep - 1074);
}

}  // namespace deepnet::eval
