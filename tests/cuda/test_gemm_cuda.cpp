// The cuBLASLt wrapper (kernels/gemm.h) against a reference in double: the four transposes,
// leading dimensions wider than the rows, alpha and beta, the bias and bias+ReLU epilogues,
// float, bf16 and bf16 -> float; and the bias-gradient reduction. On the emulated device this
// checks our use of cuBLASLt (layouts, transposes, epilogues); on a GPU, cuBLASLt itself.
// Tolerances: float sums K fp32 products in some order (rtol 1e-5 of the largest term);
// bf16 output adds one bf16 rounding (2^-8 relative).
#include <type_traits>

#include "cuda_test_support.h"
#include "kernels/gemm.h"
#include "src/core/cuda_context.h"

namespace k = deepnet::kernels;
using namespace deepnet::test_cuda;

namespace {

struct Case {
    bool ta, tb;
    int64_t M, N, K, pad;  // pad: extra elements per row of every operand
    float alpha, beta;
    k::cuda::GemmEpilogue ep;
};

template <typename TIn, typename TOut>
void check_gemm(const deepnet::CudaContext& ctx, const Case& c, std::mt19937_64& rng) {
    INFO("ta=" << c.ta << " tb=" << c.tb << " M=" << c.M << " N=" << c.N << " K=" << c.K << " pad=" << c.pad
               << " alpha=" << c.alpha << " beta=" << c.beta << " epilogue=" << int(c.ep) << " in "
               << type_name(TIn{}) << " out " << type_name(TOut{}));
    // Stored shapes (row-major): A is (M, K), or (K, M) when transposed; likewise B.
    const int64_t a_rows = c.ta ? c.K : c.M, a_cols = c.ta ? c.M : c.K;
    const int64_t b_rows = c.tb ? c.N : c.K, b_cols = c.tb ? c.K : c.N;
    const int64_t lda = a_cols + c.pad, ldb = b_cols + c.pad, ldc = c.N + c.pad;
    const auto A = random_inputs<TIn>(a_rows * lda, rng), B = random_inputs<TIn>(b_rows * ldb, rng);
    const auto C0 = random_inputs<TOut>(c.M * ldc, rng), bias = random_inputs<TOut>(c.N, rng);
    std::vector<double> ref = C0.d, scale(C0.d.size(), 0.0);
    for (int64_t i = 0; i < c.M; ++i)
        for (int64_t j = 0; j < c.N; ++j) {
            double acc = 0, mag = 0;
            for (int64_t p = 0; p < c.K; ++p) {
                const double a = A.d[size_t(c.ta ? p * lda + i : i * lda + p)];
                const double b = B.d[size_t(c.tb ? j * ldb + p : p * ldb + j)];
                acc += a * b;
                mag += std::fabs(a * b);
            }
            double v = double(c.alpha) * acc + double(c.beta) * C0.d[size_t(i * ldc + j)];
            if (c.ep != k::cuda::GemmEpilogue::None) v += bias.d[size_t(j)];
            if (c.ep == k::cuda::GemmEpilogue::BiasRelu) v = std::max(v, 0.0);
            ref[size_t(i * ldc + j)] = v;
            scale[size_t(i * ldc + j)] = std::fabs(c.alpha) * mag + std::fabs(c.beta * C0.d[size_t(i * ldc + j)]) + 1.0;
        }
    Dev<TIn> ga(A.s), gb(B.s);
    Dev<TOut> gc(C0.s), gbias(bias.s);
    const k::cuda::GemmHandle h{ctx.cublaslt(), ctx.lt_workspace(), ctx.lt_workspace_bytes()};
    k::cuda::gemm<TIn, TOut>(h, c.ta, c.tb, c.M, c.N, c.K, c.alpha, ga.get(), lda, gb.get(), ldb, c.beta, gc.get(),
                             ldc, c.ep, c.ep == k::cuda::GemmEpilogue::None ? nullptr : gbias.get(), ctx.stream());
    const auto got = download_d(gc);
    const double out_round = std::is_same_v<TOut, float> ? 0.0 : 1.0 / 256;
    int64_t bad = 0, first = -1;
    for (size_t i = 0; i < got.size(); ++i) {
        // Padding columns keep C's old values (beta is applied to the matrix only).
        const double allowed = 1e-5 * scale[i] + out_round * std::fabs(ref[i]);
        if (!(std::fabs(got[i] - ref[i]) <= allowed)) {
            if (first < 0) first = int64_t(i);
            ++bad;
        }
    }
    INFO(bad << " elements out of tolerance; first [" << first << "] got "
              << (first >= 0 ? got[size_t(first)] : 0) << " ref " << (first >= 0 ? ref[size_t(first)] : 0));
    CHECK(bad == 0);
}

const Case kCases[] = {
    {false, false, 7, 13, 5, 0, 1.f, 0.f, k::cuda::GemmEpilogue::None},
    {false, true, 9, 6, 11, 3, 1.f, 0.f, k::cuda::GemmEpilogue::Bias},
    {true, false, 5, 8, 17, 1, 0.5f, 1.f, k::cuda::GemmEpilogue::None},
    {true, true, 12, 7, 4, 2, -1.5f, 0.25f, k::cuda::GemmEpilogue::BiasRelu},
    {false, true, 33, 40, 64, 0, 1.f, 1.f, k::cuda::GemmEpilogue::BiasRelu},
    {false, false, 1, 1, 1, 0, 2.f, 0.f, k::cuda::GemmEpilogue::Bias},
};

}  // namespace

TEST_CASE("cuda gemm (cuBLASLt) computes row-major op(A) op(B) with its epilogues", "[cuda][gemm]") {
    deepnet::CudaContext ctx(0);
    auto rng = make_rng(71);
    for (const Case& c : kCases) {
        check_gemm<float, float>(ctx, c, rng);
        check_gemm<bf16, bf16>(ctx, c, rng);
        check_gemm<bf16, float>(ctx, c, rng);
    }
}

TEST_CASE("cuda gemm refuses a bias epilogue without a bias", "[cuda][gemm]") {
    deepnet::CudaContext ctx(0);
    Dev<float> a(std::vector<float>(4, 1.f)), c(4);
    const k::cuda::GemmHandle h{ctx.cublaslt(), ctx.lt_workspace(), ctx.lt_workspace_bytes()};
    CHECK_THROWS(k::cuda::gemm<float, float>(h, false, false, 2, 2, 2, 1.f, a.get(), 2, a.get(), 2, 0.f, c.get(), 2,
                                             k::cuda::GemmEpilogue::Bias, nullptr, ctx.stream()));
}

TEST_CASE("cuda bias gradient adds the column sums of dy, deterministically", "[cuda][gemm]") {
    auto rng = make_rng(72);
    for (const int64_t N : {1, 5, 300})
        for (const int64_t O : {1, 7, 513}) {
            INFO("N=" << N << " O=" << O);
            const auto dy = random_inputs<bf16>(N * O, rng);
            const auto db0 = random_inputs<float>(O, rng);
            std::vector<double> ref = db0.d;
            for (int64_t i = 0; i < N; ++i)
                for (int64_t j = 0; j < O; ++j) ref[size_t(j)] += dy.d[size_t(i * O + j)];
            Dev<bf16> gdy(dy.s);
            Dev<float> gdb(db0.s);
            k::cuda::bias_grad_accumulate<bf16, float>(gdb.get(), gdy.get(), N, O, nullptr);
            const auto first = gdb.download();
            CHECK_CLOSE("db", to_doubles(first), ref, (Tol{1e-6 * double(N), 1e-6}));
            gdb.upload(db0.s);
            k::cuda::bias_grad_accumulate<bf16, float>(gdb.get(), gdy.get(), N, O, nullptr);
            check_same_bits("db twice", gdb.download(), first);
        }
}

TEST_CASE("cuda gemm on slices of buffers (pointers one element past an aligned start)", "[cuda][gemm]") {
    // cuBLASLt assumes 256-byte aligned operands unless told: the wrapper declares each
    // pointer's alignment, so a slice such as a cache row works.
    deepnet::CudaContext ctx(0);
    auto rng = make_rng(73);
    const int64_t M = 5, N = 6, K = 7;
    const auto A = random_inputs<bf16>(M * K + 1, rng), B = random_inputs<bf16>(K * N + 1, rng);
    Dev<bf16> ga(A.s), gb(B.s);
    Dev<float> gc(M * N + 1);
    const k::cuda::GemmHandle h{ctx.cublaslt(), ctx.lt_workspace(), ctx.lt_workspace_bytes()};
    k::cuda::gemm<bf16, float>(h, false, false, M, N, K, 1.f, ga.get() + 1, K, gb.get() + 1, N, 0.f, gc.get() + 1, N,
                               k::cuda::GemmEpilogue::None, nullptr, ctx.stream());
    const auto got = download_d(gc);
    for (int64_t i = 0; i < M; ++i)
        for (int64_t j = 0; j < N; ++j) {
            double ref = 0;
            for (int64_t p = 0; p < K; ++p) ref += A.d[size_t(1 + i * K + p)] * B.d[size_t(1 + p * N + j)];
            INFO("C[" << i << ", " << j << "]");
            CHECK(std::fabs(got[size_t(1 + i * N + j)] - ref) <= 1e-5 * (1 + std::fabs(ref)));
        }
}
