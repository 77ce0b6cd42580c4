// cross_entropy: uniform logits give log V, label smoothing, ignored rows, gradients.
#include <cmath>
#include <limits>

#include "kernels/cross_entropy.h"
#include "support/gradcheck.h"

using namespace deepnet;
using namespace deepnet::test;
namespace k = deepnet::kernels::cpu;

TEST_CASE("cross entropy fixed values", "[kernel][cross_entropy]") {
    const int64_t N = 2, V = 4;
    std::vector<double> z(N * V, 0.3), loss(N), nll(N), lse(N);
    const int64_t t[] = {2, -1};
    k::cross_entropy_forward<double>(loss.data(), nll.data(), lse.data(), z.data(), t, 0.1, N, V);
    REQUIRE(nll[0] == Approx(std::log(4.0)));
    REQUIRE(loss[0] == Approx(std::log(4.0)));  // smoothing of a uniform distribution changes nothing
    REQUIRE(loss[1] == 0.0);
    // Non-uniform: logits (0, ln 2, 0, 0) -> p = (1,2,1,1)/5, target 1.
    std::vector<double> z2 = {0, std::log(2.0), 0, 0};
    const int64_t t2[] = {1};
    k::cross_entropy_forward<double>(loss.data(), nll.data(), lse.data(), z2.data(), t2, 0.2, 1, 4);
    const double lp1 = std::log(2.0 / 5), lp0 = std::log(1.0 / 5);
    REQUIRE(nll[0] == Approx(-lp1));
    REQUIRE(loss[0] == Approx(-(0.8 + 0.05) * lp1 - 3 * 0.05 * lp0));
}

TEST_CASE("cross entropy backward matches finite differences", "[kernel][cross_entropy][grad]") {
    const int64_t N = 4, V = 7;
    auto z = random_vec(N * V, 51, 2.0);
    const int64_t t[] = {3, -1, 0, 6};
    const double eps = 0.1, scale = 0.37;
    auto loss = [&] {
        std::vector<double> l(N), nl(N), s(N);
        k::cross_entropy_forward<double>(l.data(), nl.data(), s.data(), z.data(), t, eps, N, V);
        double sum = 0;
        for (double v : l) sum += v;
        return scale * sum;
    };
    std::vector<double> l(N), nl(N), s(N), dz(N * V);
    k::cross_entropy_forward<double>(l.data(), nl.data(), s.data(), z.data(), t, eps, N, V);
    k::cross_entropy_backward<double>(dz.data(), z.data(), s.data(), t, eps, scale, N, V);
    check_gradient("dlogits", loss, z.data(), dz.data(), dz.size());
    for (int64_t v = 0; v < V; ++v) REQUIRE(dz[1 * V + v] == 0.0);
    // In place (dlogits aliases logits) gives the same numbers.
    std::vector<double> zz(z);
    k::cross_entropy_backward<double>(zz.data(), zz.data(), s.data(), t, eps, scale, N, V);
    require_close("in place", zz.data(), dz.data(), dz.size(), 1e-15, 1e-12);
}

TEST_CASE("cross entropy in float (vectorised exp) agrees with double, non-finite logits give a non-finite loss",
          "[kernel][cross_entropy]") {
    // V = 1000 + 7: the 16-wide body and the scalar tail.
    const int64_t N = 3, V = 1007;
    const auto zd = random_vec(size_t(N * V), 51, 8.0);
    const int64_t t[] = {5, 1006, -1};  // the last row is padding
    std::vector<double> ld(N), nd(N), sd(N), gd(size_t(N * V));
    k::cross_entropy_forward<double>(ld.data(), nd.data(), sd.data(), zd.data(), t, 0.1, N, V);
    k::cross_entropy_backward<double>(gd.data(), zd.data(), sd.data(), t, 0.1, 0.5, N, V);
    std::vector<float> zf(zd.begin(), zd.end()), lf(N), nf(N), sf(N), gf(size_t(N * V));
    k::cross_entropy_forward<float>(lf.data(), nf.data(), sf.data(), zf.data(), t, 0.1f, N, V);
    k::cross_entropy_backward<float>(gf.data(), zf.data(), sf.data(), t, 0.1f, 0.5f, N, V);
    for (int64_t n = 0; n < N; ++n) {
        CHECK(lf[size_t(n)] == Approx(ld[size_t(n)]).epsilon(1e-5).margin(1e-6));
        CHECK(sf[size_t(n)] == Approx(sd[size_t(n)]).epsilon(1e-5));
    }
    for (size_t i = 0; i < gf.size(); ++i) REQUIRE(gf[i] == Approx(gd[i]).epsilon(1e-4).margin(1e-7));

    // The divergence guard needs NaN/Inf logits to reach the loss: NaN in the vector body,
    // NaN in the tail, +Inf.
    for (const int64_t at : {int64_t(17), int64_t(1003)})
        for (const float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
            CAPTURE(at, bad);
            std::vector<float> z(zf.begin(), zf.begin() + V);
            z[size_t(at)] = bad;
            float l, nl, s;
            const int64_t tt[] = {5};
            k::cross_entropy_forward<float>(&l, &nl, &s, z.data(), tt, 0.1f, 1, V);
            CHECK_FALSE(std::isfinite(l));
        }
}
