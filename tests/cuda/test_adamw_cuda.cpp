// adamw_update and sum_squares on CUDA against the CPU twin (double): three steps over
// awkward lengths, the bf16 compute copy, the device-side gradient factor; the squared
// norm in fp64, bit-for-bit repeatable.
#include "cuda_test_support.h"
#include "kernels/adamw.h"

namespace k = deepnet::kernels;
using namespace deepnet::test_cuda;

TEST_CASE("cuda adamw matches the CPU", "[cuda][adamw]") {
    auto rng = make_rng(401);
    for (int64_t n :
         {int64_t(1), int64_t(3), int64_t(1000), int64_t(4099), int64_t((1 << 20) + 3)}) {
        for (bool device_scale : {false, true}) {
            INFO("n=" << n << " device scale " << device_scale);
            const auto p0 = random_inputs<float>(n, rng), g = random_inputs<float>(n, rng);
            std::vector<double> p = p0.d, m(static_cast<size_t>(n), 0.0),
                                v(static_cast<size_t>(n), 0.0);
            Dev<float> gp(p0.s), gg(g.s), gm(std::vector<float>(static_cast<size_t>(n), 0.f)),
                gv(std::vector<float>(static_cast<size_t>(n), 0.f));
            Dev<bf16> gpb(n);
            Dev<float> gscale(std::vector<float>{0.5f});
            k::cpu::AdamParams a{1e-3, 0.9, 0.98, 1e-8, 0.01, 1.0, 0};
            for (int64_t step = 1; step <= 3; ++step) {
                a.step = step;
                k::cpu::AdamParams ref = a;
                if (device_scale) ref.grad_scale = 0.5;
                k::cpu::adamw_update<double>(p.data(), g.d.data(), m.data(), v.data(), ref, n);
                k::cuda::adamw_update(gp.get(), gg.get(), gm.get(), gv.get(), a, gpb.get(), device_scale ? gscale.get() : nullptr, n, nullptr);
            }
            const auto pg = gp.download();
            CHECK_CLOSE("p", to_doubles(pg), p, rel_tol(p, 1e-6, 1e-6));
            CHECK_CLOSE("m", download_d(gm), m, rel_tol(m, 1e-6, 1e-5));
            CHECK_CLOSE("v", download_d(gv), v, rel_tol(v, 1e-6, 1e-5));
            std::vector<bf16> expect(pg.size());
            for (size_t i = 0; i < pg.size(); ++i) expect[i] = k::float_to_bf16(pg[i]);
            check_same_bits("bf16 copy of p", gpb.download(), expect);
        }
    }
}

template <typename T>
void check_sum_squares(int64_t n, std::mt19937_64& rng) {
    INFO(type_name(T{}) << " n=" << n);
    const auto x = random_inputs<T>(n, rng);
    const double ref = k::cpu::sum_squares<double>(x.d.data(), n);
    Dev<T> gx(x.s);
    Dev<double> out(1), scratch(k::cuda::sum_squares_scratch_doubles());
    k::cuda::sum_squares<T>(out.get(), gx.get(), n, scratch.get(), nullptr);
    const auto s1 = out.download();
    CHECK_CLOSE("sum of squares", s1, std::vector<double>{ref}, (Tol{1e-300, 1e-12}));
    k::cuda::sum_squares<T>(out.get(), gx.get(), n, scratch.get(), nullptr);
    check_same_bits("sum of squares, second run", out.download(), s1);
}

TEST_CASE("cuda sum_squares matches the CPU", "[cuda][adamw]") {
    auto rng = make_rng(402);
    for (int64_t n : {int64_t(0), int64_t(1), int64_t(1000), int64_t(3000001)}) {
        check_sum_squares<float>(n, rng);
        check_sum_squares<bf16>(n, rng);
    }
}
