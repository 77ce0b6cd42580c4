// residual_layernorm: normalisation properties, DeepNorm alpha on the skip input,
// gradients by finite differences (double).
#include "kernels/residual_layernorm.h"
#include "support/gradcheck.h"

using namespace deepnet;
using namespace deepnet::test;
namespace k = deepnet::kernels::cpu;

TEST_CASE("residual_layernorm normalises alpha*x + f", "[kernel][residual_layernorm]") {
    const int64_t N = 3, C = 8;
    auto x = random_vec(N * C, 1), f = random_vec(N * C, 2);
    std::vector<double> gamma(C, 1.0), beta(C, 0.0), y(N * C), mean(N), rstd(N);
    const double alpha = 2.5;
    k::residual_layernorm_forward<double>(y.data(), mean.data(), rstd.data(), x.data(), f.data(), gamma.data(), beta.data(), alpha, 1e-5, N, C);
    for (int64_t n = 0; n < N; ++n) {
        double m = 0, v = 0, zm = 0;
        for (int64_t c = 0; c < C; ++c) {
            m += y[n * C + c];
            v += y[n * C + c] * y[n * C + c];
            zm += alpha * x[n * C + c] + f[n * C + c];
        }
        REQUIRE(m / C == Approx(0).margin(1e-12));
        REQUIRE(v / C == Approx(1).epsilon(1e-4));
        REQUIRE(mean[n] == Approx(zm / C));
    }
    // alpha multiplies the skip input x, not the branch f: swapping them changes the result.
    std::vector<double> y2(N * C);
    k::residual_layernorm_forward<double>(y2.data(), mean.data(), rstd.data(), f.data(), x.data(), gamma.data(), beta.data(), alpha, 1e-5, N, C);
    REQUIRE(std::fabs(y2[0] - y[0]) > 1e-3);
}

TEST_CASE("residual_layernorm backward matches finite differences", "[kernel][residual_layernorm][grad]") {
    const int64_t N = 4, C = 9;
    for (bool with_f : {true, false}) {
        const double alpha = with_f ? 1.7 : 1.0;
        auto x = random_vec(N * C, 11), f = random_vec(N * C, 12);
        auto gamma = random_vec(C, 13), beta = random_vec(C, 14);
        const auto r = random_vec(N * C, 15);
        const double* fp = with_f ? f.data() : nullptr;
        auto loss = [&] {
            std::vector<double> y(N * C), m(N), s(N);
            k::residual_layernorm_forward<double>(y.data(), m.data(), s.data(), x.data(), fp, gamma.data(), beta.data(), alpha, 1e-5, N, C);
            double t = 0;
            for (size_t i = 0; i < y.size(); ++i) t += r[i] * y[i];
            return t;
        };
        std::vector<double> y(N * C), m(N), s(N);
        k::residual_layernorm_forward<double>(y.data(), m.data(), s.data(), x.data(), fp, gamma.data(), beta.data(), alpha, 1e-5, N, C);
        std::vector<double> dx(N * C), df(N * C), dg(C, 0.0), db(C, 0.0);
        k::residual_layernorm_backward<double>(dx.data(), with_f ? df.data() : nullptr, dg.data(),
                                               db.data(), r.data(), x.data(), fp, gamma.data(),
                                               m.data(), s.data(), alpha, N, C);
        check_gradient("dx", loss, x.data(), dx.data(), x.size());
        if (with_f) check_gradient("df", loss, f.data(), df.data(), f.size());
        check_gradient("dgamma", loss, gamma.data(), dg.data(), C);
        check_gradient("dbeta", loss, beta.data(), db.data(), C);
    }
}
