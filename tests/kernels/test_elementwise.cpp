// activation, dropout, embedding: fixed values and finite-difference gradients (double).
#include "kernels/activation.h"
#include "kernels/counter_rng.h"
#include "kernels/dropout.h"
#include "kernels/embedding.h"
#include "support/gradcheck.h"

using namespace deepnet;
using namespace deepnet::test;
namespace k = deepnet::kernels::cpu;
using deepnet::kernels::ActKind;

TEST_CASE("activation values", "[kernel][activation]") {
    const double a[] = {-2, -0.5, 0.5, 2};
    double h[4];
    k::activation_forward<double>(h, a, ActKind::ReLU, 4);
    const double relu[] = {0, 0, 0.5, 2};
    require_close("relu", h, relu, 4, 0, 1e-15);
    k::activation_forward<double>(h, a, ActKind::GELU, 4);
    // x * Phi(x): Phi(-2)=0.0227501319, Phi(-0.5)=0.3085375387
    const double gelu[] = {-2 * 0.0227501319481792, -0.5 * 0.3085375387259869,
                           0.5 * 0.6914624612740131, 2 * 0.9772498680518208};
    require_close("gelu", h, gelu, 4, 1e-12, 1e-9);
}

TEST_CASE("activation backward matches finite differences", "[kernel][activation][grad]") {
    for (ActKind kind : {ActKind::ReLU, ActKind::GELU}) {
        auto a = random_vec(50, 31);
        for (auto& x : a)
            if (std::fabs(x) < 1e-3) x = 0.5;  // keep away from the ReLU kink
        const auto r = random_vec(50, 32);
        auto loss = [&] {
            std::vector<double> h(50);
            k::activation_forward<double>(h.data(), a.data(), kind, 50);
            double s = 0;
            for (size_t i = 0; i < h.size(); ++i) s += r[i] * h[i];
            return s;
        };
        std::vector<double> da(50);
        k::activation_backward<double>(da.data(), r.data(), a.data(), kind, 50);
        check_gradient(kind == ActKind::ReLU ? "relu" : "gelu", loss, a.data(), da.data(), 50);
    }
}

TEST_CASE("dropout keeps the expected fraction, scales, and replays its mask", "[kernel][dropout]") {
    const int64_t n = 100000;
    std::vector<float> x(n, 1.0f), y(n), dx(n);
    k::dropout_forward<float>(y.data(), x.data(), 0.25f, 1234, n);
    int64_t kept = 0;
    for (float v : y) {
        REQUIRE((v == 0.0f || v == Approx(1.0f / 0.75f)));
        kept += v != 0.0f;
    }
    REQUIRE(double(kept) / n == Approx(0.75).margin(0.01));
    k::dropout_backward<float>(dx.data(), x.data(), 0.25f, 1234, n);
    for (int64_t i = 0; i < n; ++i) REQUIRE(dx[i] == y[i]);
    k::dropout_forward<float>(dx.data(), x.data(), 0.25f, 1235, n);
    int64_t same = 0;
    for (int64_t i = 0; i < n; ++i) same += dx[i] == y[i];
    REQUIRE(same < n);  // another key, another mask
}

TEST_CASE("embedding forward and backward", "[kernel][embedding][grad]") {
    const int64_t V = 6, C = 4, N = 5, P = 8;
    auto table = random_vec(V * C, 41);
    std::vector<double> pos(P * C);
    k::sinusoid_table<double>(pos.data(), P, C);
    REQUIRE(pos[0] == 0.0);                                   // sin(0)
    REQUIRE(pos[2] == 1.0);                                   // cos(0)
    REQUIRE(pos[1 * C + 0] == Approx(std::sin(1.0)));         // w_0 = 1
    REQUIRE(pos[1 * C + 1] == Approx(std::sin(1e-4)));        // w_1 = 1/10000 for C/2 = 2
    const int64_t tokens[] = {1, 3, 0, 3, 5}, positions[] = {0, 1, 2, 0, 7};
    const double scale = 2.0;
    auto r = random_vec(N * C, 42);
    auto loss = [&] {
        std::vector<double> y(N * C);
        k::embedding_forward<double>(y.data(), tokens, positions, table.data(), pos.data(), scale, N, C);
        double s = 0;
        for (size_t i = 0; i < y.size(); ++i) s += r[i] * y[i];
        return s;
    };
    std::vector<double> y(N * C);
    k::embedding_forward<double>(y.data(), tokens, positions, table.data(), pos.data(), scale, N, C);
    REQUIRE(y[4 + 2] == Approx(table[3 * C + 2] * scale + pos[1 * C + 2]));
    std::vector<double> dt(V * C, 0.0);
    k::embedding_backward<double>(dt.data(), r.data(), tokens, scale, /*skip=*/-1, N, C);
    check_gradient("dtable", loss, table.data(), dt.data(), dt.size());
    std::vector<double> dt0(V * C, 0.0);
    k::embedding_backward<double>(dt0.data(), r.data(), tokens, scale, /*skip=*/0, N, C);
    REQUIRE(dt0[0] == 0.0);  // the padding row receives no gradient
    REQUIRE(dt0[3 * C] == dt[3 * C]);
}

TEST_CASE("counter rng is uniform and key-dependent", "[kernel][rng]") {
    double sum = 0;
    for (uint64_t i = 0; i < 100000; ++i) sum += kernels::uniform01(99, i);
    REQUIRE(sum / 100000 == Approx(0.5).margin(0.005));
    REQUIRE(kernels::uniform01(1, 7) != kernels::uniform01(2, 7));
    REQUIRE(kernels::rng_key(1, 2, 3, 4) != kernels::rng_key(1, 2, 4, 3));
}
