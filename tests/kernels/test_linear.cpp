// linear: fixed values, gradients by finite differences (double), float vs double.
#include "kernels/linear.h"
#include "support/gradcheck.h"

using namespace deepnet;
using namespace deepnet::test;
namespace k = deepnet::kernels::cpu;

TEST_CASE("linear forward matches hand-computed values", "[kernel][linear]") {
    const double x[] = {1, 2, -1, 0.5, 3, -2};  // (N=2, I=3)
    const double w[] = {1, 0, 2, -1, 1, 1};     // (O=2, I=3)
    const double b[] = {0.5, -1};
    double y[4];
    k::linear_forward<double>(y, x, w, b, 2, 3, 2);
    // row0: 1*1+2*0+(-1)*2+0.5 = -0.5 ; -1+2-1-1 = -1
    // row1: 0.5+0-4+0.5 = -3 ; -0.5+3-2-1 = -0.5
    const double expect[] = {-0.5, -1, -3, -0.5};
    require_close("y", y, expect, 4, 1e-12, 0);
}

TEST_CASE("linear backward matches finite differences", "[kernel][linear][grad]") {
    const int64_t N = 5, I = 7, O = 3;
    auto x = random_vec(N * I, 1), w = random_vec(O * I, 2), b = random_vec(O, 3);
    const auto r = random_vec(N * O, 4);  // loss = <r, y>
    auto loss = [&] {
        std::vector<double> y(N * O);
        k::linear_forward<double>(y.data(), x.data(), w.data(), b.data(), N, I, O);
        double s = 0;
        for (size_t i = 0; i < y.size(); ++i) s += r[i] * y[i];
        return s;
    };
    std::vector<double> dx(N * I), dw(O * I, 0.0), db(O, 0.0);
    k::linear_backward<double>(dx.data(), dw.data(), db.data(), r.data(), x.data(), w.data(), N, I, O);
    check_gradient("dx", loss, x.data(), dx.data(), x.size());
    check_gradient("dw", loss, w.data(), dw.data(), w.size());
    check_gradient("db", loss, b.data(), db.data(), b.size());

    // Parameter gradients accumulate; dx accumulates only when asked.
    std::vector<double> dx2(dx), dw2(dw), db2(db);
    k::linear_backward<double>(dx2.data(), dw2.data(), db2.data(), r.data(), x.data(), w.data(), N, I, O, true);
    for (size_t i = 0; i < dw.size(); ++i) REQUIRE(dw2[i] == Approx(2 * dw[i]));
    for (size_t i = 0; i < dx.size(); ++i) REQUIRE(dx2[i] == Approx(2 * dx[i]));
    for (size_t i = 0; i < db.size(); ++i) REQUIRE(db2[i] == Approx(2 * db[i]));
}

TEST_CASE("linear float agrees with double", "[kernel][linear]") {
    const int64_t N = 33, I = 65, O = 17;
    auto xd = random_vec(N * I, 5), wd = random_vec(O * I, 6), bd = random_vec(O, 7);
    std::vector<float> xf(xd.begin(), xd.end()), wf(wd.begin(), wd.end()), bf(bd.begin(), bd.end());
    std::vector<double> yd(N * O);
    std::vector<float> yf(N * O);
    k::linear_forward<double>(yd.data(), xd.data(), wd.data(), bd.data(), N, I, O);
    k::linear_forward<float>(yf.data(), xf.data(), wf.data(), bf.data(), N, I, O);
    std::vector<double> yfd(yf.begin(), yf.end());
    require_close("y float vs double", yfd.data(), yd.data(), yd.size(), 1e-4, 1e-4);
}

TEST_CASE("linear backward in float agrees with double", "[kernel][linear]") {
    const int64_t N = 45, I = 70, O = 33;
    auto xd = random_vec(N * I, 8), wd = random_vec(O * I, 9), dyd = random_vec(N * O, 10);
    auto dx0 = random_vec(N * I, 11), dw0 = random_vec(O * I, 12), db0 = random_vec(O, 13);
    auto f = [](const std::vector<double>& v) { return std::vector<float>(v.begin(), v.end()); };
    for (bool accumulate : {false, true}) {
        INFO("accumulate_dx " << accumulate);
        // Gradient buffers start non-zero: dW and db accumulate, dx only when asked.
        std::vector<double> dxd(dx0), dwd(dw0), dbd(db0);
        std::vector<float> dxf = f(dx0), dwf = f(dw0), dbf = f(db0);
        k::linear_backward<double>(dxd.data(), dwd.data(), dbd.data(), dyd.data(), xd.data(), wd.data(),
                                   N, I, O, accumulate);
        k::linear_backward<float>(dxf.data(), dwf.data(), dbf.data(), f(dyd).data(), f(xd).data(),
                                  f(wd).data(), N, I, O, accumulate);
        auto compare = [](const char* what, const std::vector<float>& got, const std::vector<double>& ref) {
            std::vector<double> g(got.begin(), got.end());
            require_close(what, g.data(), ref.data(), ref.size(), 1e-4, 1e-4);
        };
        compare("dx", dxf, dxd);
        compare("dw", dwf, dwd);
        compare("db", dbf, dbd);
    }
}
