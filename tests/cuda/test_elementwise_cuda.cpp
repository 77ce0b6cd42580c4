// dropout and activation on CUDA against the CPU twins. Dropout: the mask and the values
// equal the CPU's bit for bit (same counter-based RNG, same fp32 scale), in float and bf16,
// vectorised and unaligned. Activation: relu exact, gelu within fp32 / bf16 round-off.
#include "cuda_test_support.h"
#include "kernels/activation.h"
#include "kernels/counter_rng.h"
#include "kernels/dropout.h"

namespace k = deepnet::kernels;
using namespace deepnet::test_cuda;

namespace {

const int64_t kLengths[] = {1, 3, 1000, 4097, (1 << 20) + 5};

// The CPU twin in float on the values as stored, then rounded to T: what the GPU must give
// exactly (it computes in fp32 and rounds once).
template <typename T>
std::vector<T> cpu_dropout(const std::vector<T>& x, float p, uint64_t key) {
    std::vector<float> xf(x.size()), y(x.size());
    for (size_t i = 0; i < x.size(); ++i) xf[i] = float(to_double(x[i]));
    k::cpu::dropout_forward<float>(y.data(), xf.data(), p, key, int64_t(x.size()));
    std::vector<T> out(x.size());
    for (size_t i = 0; i < x.size(); ++i) out[i] = to_storage<T>(y[i]);
    return out;
}

template <typename T>
void check_dropout(int64_t n, float p, int64_t offset, std::mt19937_64& rng) {
    INFO(type_name(T{}) << " n=" << n << " p=" << p << " offset=" << offset);
    const uint64_t key = k::rng_key(1234, 7, 3, 1);
    const auto x = random_inputs<T>(n, rng);
    const auto expect = cpu_dropout(x.s, p, key);
    std::vector<T> xs(static_cast<size_t>(offset), to_storage<T>(0.0));
    xs.insert(xs.end(), x.s.begin(), x.s.end());
    Dev<T> gx(xs), gy(n + offset);
    k::cuda::dropout_forward<T>(gy.get() + offset, gx.get() + offset, p, key, n, nullptr);
    auto y = gy.download();
    y.erase(y.begin(), y.begin() + offset);
    check_same_bits("dropout forward", y, expect);
    k::cuda::dropout_backward<T>(gx.get() + offset, gx.get() + offset, p, key, n, nullptr);
    auto d = gx.download();  // in place
    d.erase(d.begin(), d.begin() + offset);
    check_same_bits("dropout backward in place", d, expect);
}

template <typename T>
void check_activation(int64_t n, k::ActKind kind, std::mt19937_64& rng) {
    INFO(type_name(T{}) << " n=" << n << (kind == k::ActKind::GELU ? " gelu" : " relu"));
    const auto a = random_inputs<T>(n, rng, 0.01, 4.0), dh = random_inputs<T>(n, rng);
    std::vector<double> h(static_cast<size_t>(n)), da(static_cast<size_t>(n));
    k::cpu::activation_forward<double>(h.data(), a.d.data(), kind, n);
    k::cpu::activation_backward<double>(da.data(), dh.d.data(), a.d.data(), kind, n);
    Dev<T> ga(a.s), gh(n), gdh(dh.s);
    k::cuda::activation_forward<T>(gh.get(), ga.get(), kind, n, nullptr);
    k::cuda::activation_backward<T>(gdh.get(), gdh.get(), ga.get(), kind, n, nullptr);
    const bool exact = kind == k::ActKind::ReLU;
    const Tol tol = std::is_same_v<T, float> ? Tol{exact ? 0.0 : 1e-6, exact ? 0.0 : 1e-5}
                                             : Tol{exact ? 0.0 : 1e-3, exact ? 0.0 : 1e-2};
    // relu in bf16 is exact: the reference, rounded to bf16, is itself a bf16 value.
    CHECK_CLOSE("h", download_d(gh), exact ? to_doubles(to_storage_vec<T>(h)) : h, tol);
    CHECK_CLOSE("da (in place over dh)", download_d(gdh),
                exact ? to_doubles(to_storage_vec<T>(da)) : da, tol);
}

}  // namespace

TEST_CASE("cuda dropout masks equal the CPU's bit for bit", "[cuda][dropout]") {
    auto rng = make_rng(501);
    for (int64_t n : kLengths)
        for (float p : {0.0f, 0.1f, 0.5f})
            for (int64_t offset : {0, 1}) {
                check_dropout<float>(n, p, offset, rng);
                check_dropout<bf16>(n, p, offset, rng);
            }
}

TEST_CASE("cuda activation matches the CPU", "[cuda][activation]") {
    auto rng = make_rng(502);
    for (int64_t n : kLengths)
        for (auto kind : {k::ActKind::ReLU, k::ActKind::GELU}) {
            check_activation<float>(n, kind, rng);
            check_activation<bf16>(n, kind, rng);
        }
}
