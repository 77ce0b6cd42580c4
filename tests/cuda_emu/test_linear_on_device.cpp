// The linear op's CUDA branch (cuBLASLt through kernels/gemm.h) on the emulated device
// against its CPU branch: forward with and without bias and ReLU, backward with dx
// overwritten and accumulated, dw and db accumulated onto their old values.
#include <algorithm>
#include <cmath>

#include "ops_device_support.h"
#include "kernels/kernel_types.h"
#include "src/ops/linear.h"

using namespace deepnet;
using namespace deepnet::test_cuda;

TEST_CASE("ops on the device: linear forward and backward through cuBLASLt", "[cuda][ops][gemm]") {
    auto rng = make_rng(111);
    DeviceContext device;
    Context& g = device.ctx;
    const Context cpu;
    const int64_t N = 19, I = 24, O = 13;
    const auto x = random_inputs<float>(N * I, rng).s, w = random_inputs<float>(O * I, rng).s,
               b = random_inputs<float>(O, rng).s, dy = random_inputs<float>(N * O, rng).s,
               dx0 = random_inputs<float>(N * I, rng).s, dw0 = random_inputs<float>(O * I, rng).s,
               db0 = random_inputs<float>(O, rng).s;
    Dev<float> gx(x), gw(w), gb(b), gdy(dy), gy(N * O), gdx(dx0), gdw(dw0), gdb(db0);
    for (const bool bias : {true, false})
        for (const bool relu : {false, true}) {  // with a bias, the ReLU is cuBLASLt's epilogue
            INFO("bias " << bias << " relu " << relu);
            std::vector<float> y(static_cast<size_t>(N * O));
            ops::linear_forward(cpu, view(y.data(), {N, O}), view(x.data(), {N, I}), view(w.data(), {O, I}),
                                view(bias ? b.data() : nullptr, {O}), relu);
            ops::linear_forward(g, dview(gy, {N, O}), dview(gx, {N, I}), dview(gw, {O, I}),
                                bias ? dview(gb, {O}) : view(static_cast<float*>(nullptr), {O}, kGpu), relu);
            const auto got = gy.download();
            check_close("y", got, y, 1e-5);
            if (relu) CHECK(*std::min_element(got.begin(), got.end()) == 0.f);  // some were negative
        }
    for (const bool accumulate : {false, true}) {
        INFO("accumulate dx " << accumulate);
        std::vector<float> dx = dx0, dw = dw0, db = db0;
        gdx.upload(dx0), gdw.upload(dw0), gdb.upload(db0);
        ops::linear_backward(cpu, view(dx.data(), {N, I}), view(dw.data(), {O, I}), view(db.data(), {O}),
                             view(dy.data(), {N, O}), view(x.data(), {N, I}), view(w.data(), {O, I}), accumulate);
        ops::linear_backward(g, dview(gdx, {N, I}), dview(gdw, {O, I}), dview(gdb, {O}), dview(gdy, {N, O}),
                             dview(gx, {N, I}), dview(gw, {O, I}), accumulate);
        check_close("dx", gdx.download(), dx, 1e-5);
        check_close("dw", gdw.download(), dw, 1e-5);
        check_close("db", gdb.download(), db, 1e-5);
    }
}

namespace {
std::vector<double> rounded(const std::vector<float>& v, DType half) {
    std::vector<double> r(v.size());
    for (size_t i = 0; i < v.size(); ++i)
        r[i] = half == DType::BF16 ? kernels::from_bf16(kernels::to_bf16(v[i])) : kernels::from_f16(kernels::to_f16(v[i]));
    return r;
}

// Largest |a - b| / (1 + |b|).
double worst(const std::vector<float>& a, const std::vector<double>& b) {
    double w = 0;
    for (size_t i = 0; i < a.size(); ++i) w = std::max(w, std::fabs(a[i] - b[i]) / (1 + std::fabs(b[i])));
    return w;
}
}  // namespace

// precision: [bfloat16|float16, float32] on the GPU: float tensors, GEMM operands rounded
// to bf16 or fp16, fp32 sums. The reference is computed in double from the rounded
// operands, so a GEMM that skipped the rounding (an fp32 GEMM) is off by the 16-bit type's
// precision and fails; the CPU branch is compared too where this CPU has the GEMMs (the
// two differ by summation order only).
static void check_half_linear(DType half) {
    INFO("GEMM operands " << dtype_name(half));
    auto rng = make_rng(112);
    DeviceContext device;
    Context& g = device.ctx;
    g.precision.gemm = half;
    Context cpu;
    cpu.precision.gemm = half;
    const bool cpu_has_gemm = half == DType::F16 || ops::bf16_gemm_unavailable_reason().empty();
    const int64_t N = 21, I = 40, O = 17;
    const auto x = random_inputs<float>(N * I, rng).s, w = random_inputs<float>(O * I, rng).s,
               b = random_inputs<float>(O, rng).s, dy = random_inputs<float>(N * O, rng).s,
               dw0 = random_inputs<float>(O * I, rng).s, db0 = random_inputs<float>(O, rng).s;
    const auto xr = rounded(x, half), wr = rounded(w, half), dyr = rounded(dy, half);
    Dev<float> gx(x), gw(w), gb(b), gdy(dy), gy(N * O), gdx(N * I), gdw(dw0), gdb(db0);

    std::vector<double> y_ref(size_t(N * O)), dx_ref(size_t(N * I)), dw_ref(dw0.begin(), dw0.end()),
        db_ref(db0.begin(), db0.end());
    for (int64_t n = 0; n < N; ++n)
        for (int64_t o = 0; o < O; ++o) {
            double s = b[o];
            for (int64_t i = 0; i < I; ++i) s += xr[n * I + i] * wr[o * I + i];
            y_ref[n * O + o] = std::max(s, 0.0);
            db_ref[o] += dy[n * O + o];  // the bias gradient sums the float dy
            for (int64_t i = 0; i < I; ++i) {
                dx_ref[n * I + i] += dyr[n * O + o] * wr[o * I + i];
                dw_ref[o * I + i] += dyr[n * O + o] * xr[n * I + i];
            }
        }
    ops::linear_forward(g, dview(gy, {N, O}), dview(gx, {N, I}), dview(gw, {O, I}), dview(gb, {O}), true);
    ops::linear_backward(g, dview(gdx, {N, I}), dview(gdw, {O, I}), dview(gdb, {O}), dview(gdy, {N, O}),
                         dview(gx, {N, I}), dview(gw, {O, I}));
    const auto y = gy.download(), dx = gdx.download(), dw = gdw.download(), db = gdb.download();
    CHECK(worst(y, y_ref) < 2e-6);
    CHECK(worst(dx, dx_ref) < 2e-6);
    CHECK(worst(dw, dw_ref) < 2e-6);
    CHECK(worst(db, db_ref) < 2e-6);

    // The same op with fp32 GEMMs misses the reference by far more: the check above can fail.
    g.precision.gemm = DType::F32;
    gy.upload(std::vector<float>(size_t(N * O), 0.f));
    ops::linear_forward(g, dview(gy, {N, O}), dview(gx, {N, I}), dview(gw, {O, I}), dview(gb, {O}), true);
    CHECK(worst(gy.download(), y_ref) > 1e-4);

    if (cpu_has_gemm) {
        std::vector<float> cy(size_t(N * O)), cdx(size_t(N * I)), cdw = dw0, cdb = db0;
        ops::linear_forward(cpu, view(cy.data(), {N, O}), view(x.data(), {N, I}), view(w.data(), {O, I}),
                            view(b.data(), {O}), true);
        ops::linear_backward(cpu, view(cdx.data(), {N, I}), view(cdw.data(), {O, I}), view(cdb.data(), {O}),
                             view(dy.data(), {N, O}), view(x.data(), {N, I}), view(w.data(), {O, I}));
        check_close("y", y, cy, 2e-6);
        check_close("dx", dx, cdx, 2e-6);
        check_close("dw", dw, cdw, 2e-6);
        check_close("db", db, cdb, 2e-6);
    } else {
        WARN("the CPU's bf16 GEMMs are unavailable here (" << ops::bf16_gemm_unavailable_reason()
                                                          << "): compared with the double reference only");
    }
}

TEST_CASE("ops on the device: linear with bf16 and fp16 GEMMs on float tensors", "[cuda][ops][gemm]") {
    check_half_linear(DType::BF16);
    check_half_linear(DType::F16);
}
