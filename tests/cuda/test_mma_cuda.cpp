// The tensor-core building blocks (kernels/mma.cuh) through the block GEMM of the attention
// kernels (kernels/tile_gemm.cuh): a 16x8x16 tile and multi-tile shapes, in the four operand
// layouts the kernels use (A stored M x K or K x M, B stored N x K or K x N, which exercise
// ldmatrix with and without .trans), against a host product in double on random non-zero
// bf16 inputs. Products of bf16 values are exact in fp32, so the only difference is the
// order and rounding of the fp32 sums: |err| <= 1e-6 * sum_k |a b| is allowed (K <= 64 terms
// give at most about 64 * 2^-24 = 4e-6 relative to that sum; in practice far less). The
// float path (FMA) is checked the same way.
#include "cuda_test_support.h"
#include "kernels/tile_gemm.h"

namespace k = deepnet::kernels;
using namespace deepnet::test_cuda;

namespace {

template <typename E>
void check_gemm(int M, int N, int K, bool a_trans, bool b_rows, bool accumulate, std::mt19937_64& rng) {
    INFO(type_name(E{}) << " M=" << M << " N=" << N << " K=" << K << " a_trans=" << a_trans
                        << " b_rows=" << b_rows << " accumulate=" << accumulate);
    const auto a = random_inputs<E>(int64_t(M) * K, rng), b = random_inputs<E>(int64_t(K) * N, rng);
    const auto c0 = random_inputs<float>(int64_t(M) * N, rng);
    std::vector<double> ref(size_t(M) * N), bound(size_t(M) * N);
    for (int m = 0; m < M; ++m)
        for (int n = 0; n < N; ++n) {
            double s = accumulate ? c0.d[size_t(m) * N + n] : 0.0, mag = std::fabs(s);
            for (int kk = 0; kk < K; ++kk) {
                const double x = a.d[a_trans ? size_t(kk) * M + m : size_t(m) * K + kk];
                const double y = b.d[b_rows ? size_t(n) * K + kk : size_t(kk) * N + n];
                s += x * y;
                mag += std::fabs(x * y);
            }
            ref[size_t(m) * N + n] = s;
            bound[size_t(m) * N + n] = 1e-6 * mag;
        }
    Dev<E> ga(a.s), gb(b.s);
    Dev<float> gc(c0.s);
    k::cuda::tile_gemm_check<E>(gc.get(), ga.get(), gb.get(), M, N, K, a_trans, b_rows, accumulate, nullptr);
    const auto got = download_d(gc);
    int64_t bad = 0, worst = 0;
    double worst_ratio = 0;
    for (size_t i = 0; i < got.size(); ++i) {
        const double err = std::fabs(got[i] - ref[i]);
        const double ratio = std::isnan(err) ? INFINITY : err / bound[i];
        if (!(err <= bound[i])) ++bad;
        if (ratio > worst_ratio) worst_ratio = ratio, worst = int64_t(i);
    }
    INFO(bad << " of " << got.size() << " out of tolerance; worst [" << worst << "] got " << got[size_t(worst)]
              << " ref " << ref[size_t(worst)] << " (" << worst_ratio << " x the allowed error)");
    CHECK(bad == 0);
}

}  // namespace

TEST_CASE("cuda mma: a 16x8x16 bf16 tile through ldmatrix and mma matches the host", "[cuda][mma]") {
    auto rng = make_rng(801);
    for (bool a_trans : {false, true})
        for (bool b_rows : {false, true})
            for (bool acc : {false, true}) check_gemm<bf16>(16, 8, 16, a_trans, b_rows, acc, rng);
}

TEST_CASE("cuda mma: multi-tile bf16 and float block GEMMs match the host", "[cuda][mma]") {
    auto rng = make_rng(802);
    for (bool a_trans : {false, true})
        for (bool b_rows : {false, true}) {
            check_gemm<bf16>(48, 40, 64, a_trans, b_rows, true, rng);
            check_gemm<bf16>(32, 64, 32, a_trans, b_rows, false, rng);
            check_gemm<float>(13, 7, 29, a_trans, b_rows, true, rng);
        }
    CHECK_THROWS_AS(k::cuda::tile_gemm_check<bf16>(nullptr, nullptr, nullptr, 16, 8, 8, false, false, false, nullptr),
                    std::invalid_argument);
}
