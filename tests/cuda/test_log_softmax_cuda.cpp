// log_softmax_forward and target_log_probs on CUDA against the CPU twin (double, on the
// same rounded logits), over vocabularies that are 1, odd, not a multiple of the vector
// width, or 32k (many chunks per thread), aligned and shifted by one element; rows with a
// negative target must keep their value.
#include "cuda_test_support.h"
#include "kernels/log_softmax.h"

namespace k = deepnet::kernels;
using namespace deepnet::test_cuda;

namespace {

template <typename T>
void check_log_softmax(int64_t N, int64_t V, int64_t shift, std::mt19937_64& rng) {
    INFO(type_name(T{}) << " N=" << N << " V=" << V << " shift=" << shift);
    const auto x = random_inputs<T>(N * V, rng, 0.01, 6.0);
    std::vector<double> ref = x.d;
    k::cpu::log_softmax_forward<double>(ref.data(), N, V);

    std::vector<T> padded(static_cast<size_t>(N * V + shift), to_storage<T>(1.0));
    std::copy(x.s.begin(), x.s.end(), padded.begin() + shift);
    Dev<T> g(padded);
    k::cuda::log_softmax_forward<T>(g.get() + shift, N, V, nullptr);
    auto got = download_d(g);
    got.erase(got.begin(), got.begin() + shift);
    // fp32: the rounding of x - lse (|ref| up to ~17) and of an fp32 sum of V exponentials;
    // bf16: one rounding of the result (at most 2^-8 relative, under the 4e-3 allowed).
    const Tol tol = std::is_same_v<T, float> ? Tol{2e-5, 1e-6} : Tol{1e-4, 4e-3};
    CHECK_CLOSE("log_softmax", got, ref, tol);
}

template <typename T>
void check_target_log_probs(int64_t N, int64_t V, std::mt19937_64& rng) {
    INFO(type_name(T{}) << " N=" << N << " V=" << V);
    const auto x = random_inputs<T>(N * V, rng, 0.01, 6.0);
    std::vector<int64_t> targets(static_cast<size_t>(N));
    std::uniform_int_distribution<int64_t> pick(0, V - 1);
    for (size_t n = 0; n < targets.size(); ++n) targets[n] = n % 4 == 2 ? -1 - int64_t(n) : pick(rng);
    const double kept = 123.25;  // what an ignored row holds before and after
    std::vector<double> ref(static_cast<size_t>(N), kept);
    k::cpu::target_log_probs<double>(ref.data(), x.d.data(), targets.data(), N, V);

    Dev<T> g(x.s);
    Dev<int64_t> gt(targets);
    Dev<double> out(std::vector<double>(static_cast<size_t>(N), kept));
    k::cuda::target_log_probs<T>(out.get(), g.get(), gt.get(), N, V, nullptr);
    const auto got = out.download();
    // fp64 on both sides; only the order of the sum and exp/log's last bits differ.
    CHECK_CLOSE("target_log_probs", got, ref, (Tol{1e-11, 0.0}));
    for (size_t n = 0; n < targets.size(); ++n)
        if (targets[n] < 0) CHECK(got[n] == kept);
}

}  // namespace

TEST_CASE("cuda log_softmax_forward matches the CPU", "[cuda][log_softmax]") {
    auto rng = make_rng(401);
    for (int64_t N : {1, 6})
        for (int64_t V : {1, 5, 37, 1000, 8003, 32768})
            for (int64_t shift : {0, 1}) {
                check_log_softmax<float>(N, V, shift, rng);
                check_log_softmax<bf16>(N, V, shift, rng);
            }
}

TEST_CASE("cuda target_log_probs matches the CPU in double", "[cuda][log_softmax]") {
    auto rng = make_rng(402);
    for (int64_t N : {1, 9})
        for (int64_t V : {1, 7, 1000, 32000}) {
            check_target_log_probs<float>(N, V, rng);
            check_target_log_probs<bf16>(N, V, rng);
        }
}
