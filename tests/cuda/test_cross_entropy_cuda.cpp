// cross_entropy on CUDA against the CPU twin (double, same rounded logits): loss, nll, lse
// and the gradient, over vocabularies that are 1, odd, or not a multiple of the vector
// width, with ignored rows; the fused in-place forward_backward gives the same bits as the
// separate forward and backward. loss_sums agrees with the CPU's row-order fp64 sums and
// repeats bit for bit.
#include "cuda_test_support.h"
#include "kernels/cross_entropy.h"

namespace k = deepnet::kernels;
using namespace deepnet::test_cuda;

namespace {

template <typename T>
void check_cross_entropy(int64_t N, int64_t V, std::mt19937_64& rng) {
    INFO(type_name(T{}) << " N=" << N << " V=" << V);
    const auto logits = random_inputs<T>(N * V, rng, 0.01, 6.0);
    std::vector<int64_t> targets(static_cast<size_t>(N));
    std::uniform_int_distribution<int64_t> pick(0, V - 1);
    for (size_t n = 0; n < targets.size(); ++n) targets[n] = (n % 5 == 3) ? -1 : pick(rng);
    const float eps = 0.1f, scale = 1.0f / float(N);

    std::vector<double> loss(N), nll(N), lse(N), dl(N * V);
    k::cpu::cross_entropy_forward<double>(loss.data(), nll.data(), lse.data(), logits.d.data(),
                                          targets.data(), eps, N, V);
    k::cpu::cross_entropy_backward<double>(dl.data(), logits.d.data(), lse.data(), targets.data(),
                                           eps, scale, N, V);

    Dev<T> gz(logits.s), gd(N * V);
    Dev<int64_t> gt(targets);
    Dev<float> gloss(N), gnll(N), glse(N);
    k::cuda::cross_entropy_forward<T>(gloss.get(), gnll.get(), glse.get(), gz.get(), gt.get(), eps,
                                      N, V, nullptr);
    const Tol stat{1e-4, 1e-5};  // fp32 sums of V exponentials; inputs are exact in both
    CHECK_CLOSE("loss", download_d(gloss), loss, stat);
    CHECK_CLOSE("nll", download_d(gnll), nll, stat);
    CHECK_CLOSE("lse", download_d(glse), lse, stat);
    k::cuda::cross_entropy_backward<T>(gd.get(), gz.get(), glse.get(), gt.get(), eps, scale, N, V,
                                       nullptr);
    const auto d1 = gd.download();
    const Tol gtol = std::is_same_v<T, float> ? rel_tol(dl, 1e-5, 1e-4) : rel_tol(dl, 1e-3, 1e-2);
    CHECK_CLOSE("dlogits", to_doubles(d1), dl, gtol);

    // Fused and in place: the logits buffer becomes the gradient.
    Dev<float> floss(N), fnll(N), flse(N);
    k::cuda::cross_entropy_forward_backward<T>(floss.get(), fnll.get(), flse.get(), gz.get(),
                                               gt.get(), eps, scale, N, V, nullptr);
    check_same_bits("fused loss", floss.download(), gloss.download());
    check_same_bits("fused lse", flse.download(), glse.download());
    check_same_bits("fused gradient in place", gz.download(), d1);
}

}  // namespace

TEST_CASE("cuda cross_entropy matches the CPU", "[cuda][cross_entropy]") {
    auto rng = make_rng(301);
    for (int64_t N : {1, 5, 64})
        for (int64_t V : {1, 5, 37, 1000, 8003, 32000}) {
            check_cross_entropy<float>(N, V, rng);
            check_cross_entropy<bf16>(N, V, rng);
        }
}

TEST_CASE("cuda loss_sums matches the CPU and repeats bit for bit", "[cuda][cross_entropy]") {
    auto rng = make_rng(302);
    for (int64_t N : {0, 1, 255, 1000, 100003}) {
        INFO("N=" << N);
        // Losses are non-negative: the fp64 sums then carry a relative error of ~1e-16 per
        // term in either order, far below the 1e-12 allowed.
        auto loss = random_inputs<float>(N, rng, 0.0, 10.0), nll = random_inputs<float>(N, rng, 0.0, 10.0);
        for (auto& v : loss.s) v = std::fabs(v);
        for (auto& v : nll.s) v = std::fabs(v);
        double ref[2];
        k::cpu::loss_sums<float>(ref, loss.s.data(), nll.s.data(), N);

        Dev<float> gl(loss.s), gn(nll.s);
        Dev<double> sums(2), scratch(k::cuda::loss_sums_scratch_doubles());
        k::cuda::loss_sums(sums.get(), gl.get(), gn.get(), N, scratch.get(), nullptr);
        const auto got = sums.download();
        CHECK_CLOSE("loss_sums", got, (std::vector<double>{ref[0], ref[1]}), (Tol{0.0, 1e-12}));
        if (N == 0) CHECK((got[0] == 0.0 && got[1] == 0.0));
        k::cuda::loss_sums(sums.get(), gl.get(), gn.get(), N, scratch.get(), nullptr);
        check_same_bits("repeated loss_sums", sums.download(), got);
    }
}
