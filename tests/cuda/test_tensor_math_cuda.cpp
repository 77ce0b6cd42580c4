// add, copy, fill, accumulate, axpby and gather_rows on CUDA against the CPU twins: fp32
// arithmetic with one rounding to the storage type, so float and bf16 results equal the
// CPU's (computed in float on the stored values, then rounded) bit for bit, except axpby:
// the CPU build may fuse one of its two products into a multiply-add (GCC contracts
// floating-point expressions in C++), so there the results agree to a rounding.
#include <cmath>
#include <limits>
#include <type_traits>

#include "cuda_test_support.h"
#include "kernels/elementwise.h"

namespace k = deepnet::kernels;
using namespace deepnet::test_cuda;

namespace {

const int64_t kLengths[] = {1, 3, 1000, 70001};

// The CPU twin's float result, rounded to T as the device stores it.
template <typename T>
std::vector<T> stored(const std::vector<float>& v) {
    return to_storage_vec<T>(std::vector<double>(v.begin(), v.end()));
}

template <typename T>
void check_maps(int64_t n, std::mt19937_64& rng) {
    INFO(type_name(T{}) << " n=" << n);
    const auto a = random_inputs<T>(n, rng), b = random_inputs<T>(n, rng);
    const std::vector<float> af(a.d.begin(), a.d.end()), bf(b.d.begin(), b.d.end());  // exact: stored values
    std::vector<float> ref(static_cast<size_t>(n));
    Dev<T> ga(a.s), gb(b.s), gy(n);

    k::cpu::add<float>(ref.data(), af.data(), bf.data(), n);
    k::cuda::add<T>(gy.get(), ga.get(), gb.get(), n, nullptr);
    check_same_bits("add", gy.download(), stored<T>(ref));

    k::cuda::copy<T>(gy.get(), ga.get(), n, nullptr);
    check_same_bits("copy", gy.download(), a.s);

    k::cuda::fill<T>(gy.get(), -0.75f, n, nullptr);
    check_same_bits("fill", gy.download(), std::vector<T>(static_cast<size_t>(n), to_storage<T>(-0.75)));

    gy.upload(b.s);
    ref = bf;
    k::cpu::accumulate<float>(ref.data(), af.data(), n);
    k::cuda::accumulate<T>(gy.get(), ga.get(), n, nullptr);
    check_same_bits("accumulate", gy.download(), stored<T>(ref));

    gy.upload(b.s);
    ref = bf;
    k::cpu::axpby<float>(ref.data(), af.data(), 0.001f, 0.999f, n);
    k::cuda::axpby<T>(gy.get(), ga.get(), 0.001f, 0.999f, n, nullptr);
    const auto got = to_doubles(gy.download()), want = to_doubles(stored<T>(ref));
    const double ulp = std::is_same_v<T, float> ? 1.2e-7 : 7.9e-3;  // one rounding of T
    for (size_t i = 0; i < got.size(); ++i) {
        INFO("axpby [" << i << "]: " << got[i] << " vs " << want[i]);
        REQUIRE(std::fabs(got[i] - want[i]) <= ulp * std::fabs(want[i]));
    }
}

template <typename T>
void check_gather(std::mt19937_64& rng) {
    const int64_t blocks = 5, N = 7, M = 4, C = 33;
    const auto x = random_inputs<T>(blocks * N * C, rng);
    const std::vector<int64_t> rows = {6, 0, 0, 3};
    std::vector<T> ref(static_cast<size_t>(blocks * M * C));
    for (int64_t b = 0; b < blocks; ++b)
        for (int64_t m = 0; m < M; ++m)
            for (int64_t c = 0; c < C; ++c) ref[size_t((b * M + m) * C + c)] = x.s[size_t((b * N + rows[size_t(m)]) * C + c)];
    Dev<T> gx(x.s), gy(blocks * M * C);
    Dev<int64_t> gr(rows);
    k::cuda::gather_rows<T>(gy.get(), gx.get(), gr.get(), blocks, M, N, C, nullptr);
    check_same_bits("gather_rows", gy.download(), ref);
}

}  // namespace

TEST_CASE("cuda add, copy, fill, accumulate and axpby equal the CPU bit for bit", "[cuda][elementwise]") {
    auto rng = make_rng(41);
    for (int64_t n : kLengths) {
        check_maps<float>(n, rng);
        check_maps<bf16>(n, rng);
    }
}

TEST_CASE("cuda gather_rows picks, repeats and drops rows", "[cuda][elementwise]") {
    auto rng = make_rng(42);
    check_gather<float>(rng);
    check_gather<bf16>(rng);
}

// The 16-bit GEMM operands of float tensors: the device's rounding (__float2bfloat16_rn,
// __float2half_rn) equals the host's to_bf16 / to_f16 bit for bit on ordinary values,
// halfway cases, binary16 subnormals and overflow (NaN payloads may differ: none here).
TEST_CASE("cuda to_bf16 and to_f16 round as the host does", "[cuda][elementwise]") {
    auto rng = make_rng(43);
    std::uniform_real_distribution<float> u(-1.f, 1.f);
    std::vector<float> x;
    for (int i = 0; i < 5000; ++i) x.push_back(u(rng) * std::ldexp(1.f, int(rng() % 60) - 40));
    for (uint32_t h = 1; h < 0x7bff; h += 37) {  // binary16 midpoints, and beside them
        const float m = float((double(k::from_f16(uint16_t(h))) + k::from_f16(uint16_t(h + 1))) / 2);
        x.insert(x.end(), {m, -m, std::nextafter(m, 0.f)});
    }
    for (uint32_t b = 0x3f80; b < 0x4000; ++b)  // bf16 midpoints
        x.push_back(k::from_bf16(uint16_t(b)) + std::ldexp(1.f, -8) * k::from_bf16(uint16_t(b)) / 2);
    x.insert(x.end(), {65504.f, 65519.f, 65520.f, 1e6f, -1e30f, 0.f, -0.f, std::ldexp(1.f, -25),
                       std::numeric_limits<float>::infinity()});
    const int64_t n = int64_t(x.size());
    std::vector<bf16> want_b(x.size());
    std::vector<k::f16> want_h(x.size());
    for (size_t i = 0; i < x.size(); ++i) want_b[i] = bf16{k::to_bf16(x[i])}, want_h[i] = k::f16{k::to_f16(x[i])};
    Dev<float> gx(x);
    Dev<bf16> gb(n);
    Dev<k::f16> gh(n);
    k::cuda::to_bf16(gb.get(), gx.get(), n, nullptr);
    k::cuda::to_f16(gh.get(), gx.get(), n, nullptr);
    check_same_bits("to_bf16", gb.download(), want_b);
    check_same_bits("to_f16", gh.download(), want_h);
}
