// bfloat16 GEMM: rounding bits, and the oneDNN GEMM against a double GEMM of the rounded
// operands (tight: only float32 summation differs) on random, awkward shapes, all four
// transpose cases, row strides, beta 0 and 1; plus linear forward/backward in bfloat16.
#include <cmath>
#include <cstring>
#include <limits>

#include "kernels/linear.h"
#include "kernels/onednn_matmul.h"
#include "support/gradcheck.h"

using namespace deepnet;
using namespace deepnet::test;
namespace k = deepnet::kernels::cpu;

namespace {

uint32_t bits(float x) {
    uint32_t u;
    std::memcpy(&u, &x, 4);
    return u;
}
float from_bits(uint32_t u) {
    float x;
    std::memcpy(&x, &u, 4);
    return x;
}

// The bfloat16 GEMM needs AVX-512; on an older CPU the tests say so and pass nothing.
bool bf16_runs_here() {
    const std::string why = k::bf16_matmul_unavailable_reason();
    if (why.empty()) return true;
    // oneDNN's bfloat16 matmul needs AVX-512 F, BW, VL and DQ: such a CPU must run it.
    REQUIRE_FALSE((__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                   __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq")));
    WARN("bfloat16 GEMM not tested: " << why);
    return false;
}

std::vector<float> to_float(const std::vector<double>& v) { return {v.begin(), v.end()}; }

// Element (r, c) of op(X) where X is stored row-major with row stride ld.
double at(const std::vector<float>& x, bool trans, int64_t ld, int64_t r, int64_t c, bool round) {
    const float v = trans ? x[size_t(c * ld + r)] : x[size_t(r * ld + c)];
    return round ? double(k::from_bf16(k::to_bf16(v))) : double(v);
}

}  // namespace

TEST_CASE("to_bf16 rounds to nearest, ties to even", "[kernel][bf16]") {
    CHECK(k::to_bf16(1.0f) == 0x3f80);
    CHECK(k::to_bf16(-2.0f) == 0xc000);
    CHECK(k::to_bf16(from_bits(0x3f808000u)) == 0x3f80);  // tie, even stays
    CHECK(k::to_bf16(from_bits(0x3f818000u)) == 0x3f82);  // tie, odd rounds up
    CHECK(k::to_bf16(from_bits(0x3f808001u)) == 0x3f81);  // above the tie
    CHECK(k::to_bf16(from_bits(0x3f807fffu)) == 0x3f80);  // below the tie
    CHECK(k::to_bf16(std::numeric_limits<float>::max()) == 0x7f80);  // overflow: +inf
    CHECK(k::to_bf16(-std::numeric_limits<float>::infinity()) == 0xff80);
    const uint16_t nan = k::to_bf16(std::numeric_limits<float>::quiet_NaN());
    CHECK(std::isnan(k::from_bf16(nan)));
    CHECK(std::isnan(k::from_bf16(k::to_bf16(from_bits(0x7f800001u)))));  // would round to inf
    CHECK(bits(k::from_bf16(0x3f81)) == 0x3f810000u);
    // Round trip of every bfloat16 value is exact.
    for (uint32_t b = 0; b < 0x10000; ++b) {
        const float f = k::from_bf16(uint16_t(b));
        if (!std::isnan(f)) REQUIRE(k::to_bf16(f) == b);
    }
}

TEST_CASE("round_to_bf16 (vectorised) equals to_bf16 bit for bit", "[kernel][bf16]") {
    // Random bit patterns cover ties, denormals, infinities and NaNs; odd length for the tail.
    std::vector<float> x(100003);
    uint64_t s = 0x9e3779b97f4a7c15ull;
    for (float& v : x) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        v = from_bits(uint32_t(s >> 16) | (s & 1 ? 0x8000u : 0u));
    }
    x[7] = from_bits(0x3f808000u), x[8] = from_bits(0x3f818000u), x[9] = from_bits(0x7f800001u);
    std::vector<uint16_t> y(x.size());
    k::round_to_bf16(y.data(), x.data(), int64_t(x.size()));
    for (size_t i = 0; i < x.size(); ++i) {
        CAPTURE(i, bits(x[i]));
        REQUIRE(y[i] == k::to_bf16(x[i]));
    }
}

namespace {

// Runs gemm_f32 or gemm_bf16 on random, strided operands (all transposes, beta 0 and 1, with
// and without a bias) and compares with a double GEMM of the operands as the GEMM should see
// them (rounded to bfloat16 or not). Returns the worst error against the unrounded operands,
// relative to sum |a b| (so the caller can tell that rounding happened).
double check_gemm(bool bf16, int64_t M, int64_t N, int64_t K) {
    double worst_unrounded_all = 0;
    for (int ta = 0; ta < 2; ++ta)
        for (int tb = 0; tb < 2; ++tb)
            for (float beta : {0.f, 1.f})
                for (bool with_bias : {false, true}) {
                    if (with_bias && beta != 0.f) continue;  // the API: a bias needs beta 0
                    CAPTURE(bf16, M, N, K, ta, tb, beta, with_bias);
                    // Stored matrices with a row stride larger than their width.
                    const int64_t a_rows = ta ? K : M, a_cols = ta ? M : K, lda = a_cols + 5;
                    const int64_t b_rows = tb ? N : K, b_cols = tb ? K : N, ldb = b_cols + 3;
                    const int64_t ldc = N + 2;
                    const auto A = to_float(random_vec(size_t(std::max<int64_t>(a_rows * lda, 1)), 11 + ta, 2.0));
                    const auto B = to_float(random_vec(size_t(std::max<int64_t>(b_rows * ldb, 1)), 21 + tb, 0.5));
                    const auto C0 = to_float(random_vec(size_t(std::max<int64_t>(M * ldc, 1)), 31));
                    const auto bias = to_float(random_vec(size_t(std::max<int64_t>(N, 1)), 41));
                    const float* bp = with_bias ? bias.data() : nullptr;
                    auto C = C0;
                    if (bf16)
                        k::gemm_bf16(ta, tb, M, N, K, A.data(), lda, B.data(), ldb, beta, C.data(), ldc, bp);
                    else
                        k::gemm_f32(ta, tb, M, N, K, A.data(), lda, B.data(), ldb, beta, C.data(), ldc, bp);
                    double worst = 0, worst_unrounded = 0;
                    for (int64_t m = 0; m < M; ++m) {
                        for (int64_t n = 0; n < N; ++n) {
                            double ref = beta * C0[size_t(m * ldc + n)] + (bp ? bp[n] : 0.0);
                            double unrounded = ref, scale = 1e-3 + std::fabs(ref);
                            for (int64_t q = 0; q < K; ++q) {
                                const double a = at(A, ta, lda, m, q, bf16), b = at(B, tb, ldb, q, n, bf16);
                                ref += a * b;
                                unrounded += at(A, ta, lda, m, q, false) * at(B, tb, ldb, q, n, false);
                                scale += std::fabs(a * b);
                            }
                            const double got = C[size_t(m * ldc + n)];
                            worst = std::max(worst, std::fabs(got - ref) / scale);
                            worst_unrounded = std::max(worst_unrounded, std::fabs(got - unrounded) / scale);
                        }
                        // Padding columns of C are never written.
                        for (int64_t n = N; n < ldc; ++n)
                            REQUIRE(C[size_t(m * ldc + n)] == C0[size_t(m * ldc + n)]);
                    }
                    CHECK(worst < 2e-6);  // float32 sums of exact products
                    worst_unrounded_all = std::max(worst_unrounded_all, worst_unrounded);
                }
    return worst_unrounded_all;
}

struct GemmShape {
    int64_t M, N, K;
};
const GemmShape kShapes[] = {{37, 53, 71}, {1, 17, 300}, {130, 3, 129}, {64, 96, 32}};

}  // namespace

TEST_CASE("float32 GEMM (oneDNN) equals a double GEMM", "[kernel][gemm]") {
    for (const GemmShape s : kShapes) CHECK(check_gemm(false, s.M, s.N, s.K) < 2e-6);
    // Empty products: K = 0 leaves beta C (+ bias); M or N = 0 touch nothing.
    for (const GemmShape s : {GemmShape{5, 7, 0}, GemmShape{0, 7, 5}, GemmShape{5, 0, 5}})
        check_gemm(false, s.M, s.N, s.K);
}

TEST_CASE("bf16 GEMM equals a double GEMM of the rounded operands", "[kernel][bf16]") {
    if (!bf16_runs_here()) return;
    for (const GemmShape s : kShapes) {
        const double unrounded = check_gemm(true, s.M, s.N, s.K);
        CHECK(unrounded > 1e-4);  // the operands really were rounded
        CHECK(unrounded < 1e-2);
    }
    for (const GemmShape s : {GemmShape{5, 7, 0}, GemmShape{0, 7, 5}, GemmShape{5, 0, 5}})
        check_gemm(true, s.M, s.N, s.K);
}

TEST_CASE("linear in bf16 follows the float32 linear within bfloat16 rounding", "[kernel][bf16][linear]") {
    if (!bf16_runs_here()) return;
    const int64_t N = 45, I = 70, O = 33;
    const auto x = to_float(random_vec(N * I, 1)), w = to_float(random_vec(O * I, 2));
    const auto b = to_float(random_vec(O, 3)), dy = to_float(random_vec(N * O, 4));
    std::vector<float> y32(N * O), y16(N * O);
    k::linear_forward<float>(y32.data(), x.data(), w.data(), b.data(), N, I, O);
    k::linear_forward<float>(y16.data(), x.data(), w.data(), b.data(), N, I, O, k::MatmulPrecision::BFloat16);
    std::vector<float> dx32(N * I), dw32(O * I, 0.5f), db32(O, 0.25f);
    auto dx16 = dx32, dw16 = dw32, db16 = db32;
    k::linear_backward<float>(dx32.data(), dw32.data(), db32.data(), dy.data(), x.data(), w.data(), N, I, O);
    k::linear_backward<float>(dx16.data(), dw16.data(), db16.data(), dy.data(), x.data(), w.data(), N, I, O,
                              false, k::MatmulPrecision::BFloat16);
    auto compare = [](const char* what, const std::vector<float>& got, const std::vector<float>& ref,
                      double sum_len) {
        // Operands in [-1, 1], each rounded by at most 2^-9 relative: a product is off by
        // <= 2^-8, a sum of sum_len random-sign errors by a few 2^-8 sqrt(sum_len).
        const double tol = 4 * std::ldexp(1.0, -8) * std::sqrt(sum_len), tight = 1e-5;
        double worst = 0;
        for (size_t i = 0; i < got.size(); ++i) worst = std::max(worst, double(std::fabs(got[i] - ref[i])));
        INFO(what << ": worst difference " << worst);
        CHECK(worst < tol);
        CHECK(worst > tight);  // bfloat16 was used
    };
    compare("y", y16, y32, I);
    compare("dx", dx16, dx32, O);
    compare("dw", dw16, dw32, N);
    for (int64_t o = 0; o < O; ++o)  // bias sums stay float32 (summed in another order)
        CHECK(db16[size_t(o)] == Approx(db32[size_t(o)]).epsilon(1e-5).margin(1e-5));
}

TEST_CASE("pack_bf16_add_column_sums rounds like to_bf16 and adds float32 column sums", "[kernel][bf16]") {
    const int64_t rows = 301, cols = 37;
    const auto x = to_float(random_vec(size_t(rows * cols), 41));
    std::vector<float> sums(size_t(cols), 1.5f);
    k::Bf16Buffer out;
    k::pack_bf16_add_column_sums(out, x.data(), rows, cols, sums.data());
    for (int64_t i = 0; i < rows * cols; ++i) REQUIRE(out.data[size_t(i)] == k::to_bf16(x[size_t(i)]));
    for (int64_t c = 0; c < cols; ++c) {
        double ref = 1.5;
        for (int64_t r = 0; r < rows; ++r) ref += x[size_t(r * cols + c)];
        CHECK(sums[size_t(c)] == Approx(ref).epsilon(1e-5).margin(1e-4));
    }
}

TEST_CASE("bf16 precision is refused for double", "[kernel][bf16]") {
    double x[2] = {1, 2}, w[2] = {3, 4}, y[1];
    CHECK_THROWS(k::linear_forward<double>(y, x, w, nullptr, 1, 2, 1, k::MatmulPrecision::BFloat16));
}
