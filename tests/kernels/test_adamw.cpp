// adamw: one step against the closed form; sum_squares is exact and order-independent.
#include "kernels/adamw.h"
#include "support/gradcheck.h"

using namespace deepnet;
namespace k = deepnet::kernels::cpu;

TEST_CASE("adamw first step moves each weight by about lr against its gradient", "[kernel][adamw]") {
    std::vector<double> p = {1.0, -2.0, 0.5}, g = {0.3, -4.0, 0.0}, m(3, 0.0), v(3, 0.0);
    k::AdamParams a{0.01, 0.9, 0.98, 1e-9, 0.1, 1.0, 1};
    k::adamw_update<double>(p.data(), g.data(), m.data(), v.data(), a, 3);
    // step 1: m_hat = g, v_hat = g^2 -> update = lr * g/|g|; decay multiplies by (1 - lr wd).
    REQUIRE(p[0] == Approx(1.0 * (1 - 0.001) - 0.01).epsilon(1e-7));
    REQUIRE(p[1] == Approx(-2.0 * (1 - 0.001) + 0.01).epsilon(1e-7));
    REQUIRE(p[2] == Approx(0.5 * (1 - 0.001)));
    REQUIRE(m[1] == Approx(0.1 * -4.0));
    REQUIRE(v[1] == Approx(0.02 * 16.0));
}

TEST_CASE("sum_squares", "[kernel][adamw]") {
    std::vector<float> x(300000);
    for (size_t i = 0; i < x.size(); ++i) x[i] = float(i % 3);  // 0,1,2 -> squares 0,1,4
    REQUIRE(k::sum_squares<float>(x.data(), int64_t(x.size())) == 500000.0);
}
