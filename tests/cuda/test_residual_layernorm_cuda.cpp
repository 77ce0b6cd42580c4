// residual_layernorm on CUDA against the CPU twin (in double, on the same rounded inputs):
// forward and backward over awkward shapes (N = 1, odd C, C not a multiple of the vector
// width or of a warp's 32 x vector), both paths (warp per row, block per row), float and
// bf16 storage; deterministic dgamma/dbeta; dx aliasing dy; unaligned rows.
#include "cuda_test_support.h"
#include "kernels/residual_layernorm.h"

namespace k = deepnet::kernels;
using namespace deepnet::test_cuda;

namespace {

const int64_t kNs[] = {1, 7, 333};
const int64_t kCs[] = {1, 3, 31, 32, 100, 127, 128, 264, 512, 1000, 1024, 1032, 2048, 4100};
constexpr float kEps = 1e-5f;

// Outputs stored as T: fp32 round-off, or one bf16 rounding (2^-9 relative) on top.
template <typename T>
Tol out_tol(const std::vector<double>& ref) {
    return std::is_same_v<T, float> ? rel_tol(ref, 2e-5, 1e-4) : rel_tol(ref, 1e-2, 1e-2);
}

template <typename T>
struct Inputs {
    HostData<T> x, f, gamma, beta, dy;
    float alpha;
    bool with_f;
    Inputs(int64_t N, int64_t C, bool wf, std::mt19937_64& rng)
        : x(random_inputs<T>(N * C, rng)),
          f(random_inputs<T>(N * C, rng)),
          gamma(random_inputs<T>(C, rng, 0.5, 1.5)),
          beta(random_inputs<T>(C, rng)),
          dy(random_inputs<T>(N * C, rng)),
          alpha(wf ? 1.7f : 1.0f),
          with_f(wf) {}
    const double* fd() const { return with_f ? f.d.data() : nullptr; }
};

template <typename T>
void check_forward(int64_t N, int64_t C, const Inputs<T>& in, int64_t x_offset = 0) {
    std::vector<double> y(N * C), mean(N), rstd(N);
    k::cpu::residual_layernorm_forward<double>(y.data(), mean.data(), rstd.data(), in.x.d.data(), in.fd(), in.gamma.d.data(), in.beta.d.data(), in.alpha, double(kEps), N, C);
    // x_offset > 0 shifts x by that many elements: rows lose their 16-byte alignment.
    std::vector<T> xs(static_cast<size_t>(x_offset), to_storage<T>(0.0));
    xs.insert(xs.end(), in.x.s.begin(), in.x.s.end());
    Dev<T> gx(xs), gf(in.f.s), gg(in.gamma.s), gb(in.beta.s), gy(N * C);
    Dev<float> gm(N), gr(N);
    k::cuda::residual_layernorm_forward<T>(gy.get(), gm.get(), gr.get(), gx.get() + x_offset, in.with_f ? gf.get() : nullptr, gg.get(), gb.get(), in.alpha, kEps, N, C, nullptr);
    CHECK_CLOSE("y", download_d(gy), y, out_tol<T>(y));
    // A mean near 0 comes from cancellation: its fp32 error scales with the summed values,
    // not with the mean itself (a row's mean of 2.8e-4 failed a tolerance relative to it on
    // the emulated device, with some seeds).
    const double scale = std::fabs(double(in.alpha)) * max_abs(in.x.d) + (in.with_f ? max_abs(in.f.d) : 0.0);
    CHECK_CLOSE("mean", download_d(gm), mean, (Tol{1e-5 * scale, 1e-5}));
    CHECK_CLOSE("rstd", download_d(gr), rstd, (Tol{0, 1e-4}));
}

template <typename T>
void check_backward(int64_t N, int64_t C, const Inputs<T>& in, std::mt19937_64& rng) {
    std::vector<double> y(N * C), mean(N), rstd(N);
    k::cpu::residual_layernorm_forward<double>(y.data(), mean.data(), rstd.data(), in.x.d.data(), in.fd(), in.gamma.d.data(), in.beta.d.data(), in.alpha, double(kEps), N, C);
    // The GPU gets the statistics in fp32, as its forward saves them; the reference uses the
    // same rounded values.
    std::vector<float> mean_f(mean.begin(), mean.end()), rstd_f(rstd.begin(), rstd.end());
    const std::vector<double> mean_r(mean_f.begin(), mean_f.end()),
        rstd_r(rstd_f.begin(), rstd_f.end());
    // dgamma/dbeta accumulate: start them from random values.
    const auto g0 = random_inputs<float>(C, rng), b0 = random_inputs<float>(C, rng);
    std::vector<double> dx(N * C), df(N * C), dg = g0.d, db = b0.d;
    k::cpu::residual_layernorm_backward<double>(
        dx.data(), in.with_f ? df.data() : nullptr, dg.data(), db.data(), in.dy.d.data(),
        in.x.d.data(), in.fd(), in.gamma.d.data(), mean_r.data(), rstd_r.data(), in.alpha, N, C);
    Dev<T> gx(in.x.s), gf(in.f.s), gg(in.gamma.s), gdy(in.dy.s), gdx(N * C), gdf(N * C);
    Dev<float> gm(mean_f), gr(rstd_f), gdg(g0.s), gdb(b0.s);
    Dev<float> scratch(k::cuda::residual_layernorm_backward_scratch_floats(N, C));
    auto run = [&](T* dx_out) {
        k::cuda::residual_layernorm_backward<T>(dx_out, in.with_f ? gdf.get() : nullptr, gdg.get(),
                                                gdb.get(), gdy.get(), gx.get(),
                                                in.with_f ? gf.get() : nullptr, gg.get(), gm.get(),
                                                gr.get(), in.alpha, N, C, scratch.get(), nullptr);
    };
    run(gdx.get());
    const auto dx1 = gdx.download();
    const auto dg1 = gdg.download(), db1 = gdb.download();
    // At C = 1 the exact dx and df are 0 and dgamma's increment sums pure rounding noise
    // (x - mean is a rounding residue, scaled by rstd = 1/sqrt(eps)): both sides return noise,
    // so the tolerance gets an absolute floor from the scale of dy (found by running the
    // kernels on the emulated device, tests/cuda_emu).
    const double noise = C == 1 ? max_abs(in.dy.d) : 0.0;
    Tol tdx = out_tol<T>(dx), tdf = out_tol<T>(df);
    // Per row: (x - mean) is an fp32 rounding residue of |x| ~ 1 (1e-7), times rstd ~ 316.
    tdx.atol = std::max(tdx.atol, 1e-4 * noise);
    tdf.atol = std::max(tdf.atol, 1e-4 * noise);
    CHECK_CLOSE("dx", to_doubles(dx1), dx, tdx);
    if (in.with_f) CHECK_CLOSE("df", download_d(gdf), df, tdf);
    const double pt = std::is_same_v<T, float> ? 1e-5 : 1e-4;
    Tol tdg = rel_tol(dg, pt, 1e-4);
    tdg.atol = std::max(tdg.atol, 1e-4 * double(N) * noise);
    CHECK_CLOSE("dgamma", to_doubles(dg1), dg, tdg);
    CHECK_CLOSE("dbeta", to_doubles(db1), db, rel_tol(db, pt, 1e-4));

    // Deterministic: the same inputs give the same bits; dx may overwrite dy.
    gdg.upload(g0.s);
    gdb.upload(b0.s);
    run(gdy.get());
    check_same_bits("dgamma, second run", gdg.download(), dg1);
    check_same_bits("dbeta, second run", gdb.download(), db1);
    check_same_bits("dx written over dy", gdy.download(), dx1);
}

template <typename T>
void forward_backward_grid(uint64_t salt) {
    auto rng = make_rng(salt);
    for (int64_t N : kNs)
        for (int64_t C : kCs)
            for (bool with_f : {true, false}) {
                INFO(type_name(T{}) << " N=" << N << " C=" << C << " f=" << with_f);
                const Inputs<T> in(N, C, with_f, rng);
                check_forward<T>(N, C, in);
                check_backward<T>(N, C, in, rng);
            }
}

}  // namespace

TEST_CASE("cuda residual_layernorm float matches the CPU", "[cuda][residual_layernorm]") {
    forward_backward_grid<float>(101);
}

TEST_CASE("cuda residual_layernorm bf16 matches the CPU", "[cuda][residual_layernorm]") {
    forward_backward_grid<bf16>(102);
}

TEST_CASE("cuda residual_layernorm with many rows per warp and per block",
          "[cuda][residual_layernorm]") {
    // Enough rows that every warp (and block) of the fixed backward grid takes several.
    auto rng = make_rng(103);
    for (int64_t C : {512, 1024, 2048}) {
        INFO("N=5000 C=" << C);
        const Inputs<float> in(5000, C, true, rng);
        check_forward<float>(5000, C, in);
        check_backward<float>(5000, C, in, rng);
        const Inputs<bf16> inb(5000, C, true, rng);
        check_forward<bf16>(5000, C, inb);
        check_backward<bf16>(5000, C, inb, rng);
    }
}

TEST_CASE("cuda residual_layernorm with unaligned rows", "[cuda][residual_layernorm]") {
    auto rng = make_rng(104);
    for (int64_t C : {256, 512}) {
        INFO("x shifted by one element, C=" << C);
        check_forward<float>(9, C, Inputs<float>(9, C, true, rng), 1);
        check_forward<bf16>(9, C, Inputs<bf16>(9, C, true, rng), 1);
    }
}
