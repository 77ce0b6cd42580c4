// The linear op's CUDA branch (cuBLASLt through kernels/gemm.h) on the emulated device
// against its CPU branch: forward with and without bias and ReLU, backward with dx
// overwritten and accumulated, dw and db accumulated onto their old values.
#include <algorithm>

#include "cuda_test_support.h"
#include "src/ops/linear.h"

using namespace deepnet;
using namespace deepnet::test_cuda;

namespace {

const Device kGpu{DeviceKind::CUDA, 0};

template <typename T>
TensorView dview(Dev<T>& d, std::initializer_list<int64_t> shape) {
    return view(d.get(), shape, kGpu);
}

void check_close(const char* what, const std::vector<float>& got, const std::vector<float>& ref, double tol) {
    REQUIRE(got.size() == ref.size());
    for (size_t i = 0; i < got.size(); ++i) {
        INFO(what << "[" << i << "]: " << got[i] << " vs " << ref[i]);
        REQUIRE(std::fabs(double(got[i]) - double(ref[i])) <= tol * (1.0 + std::fabs(double(ref[i]))));
    }
}

}  // namespace

TEST_CASE("ops on the device: linear forward and backward through cuBLASLt", "[cuda][ops][gemm]") {
    auto rng = make_rng(111);
    CudaContext cuda(0);
    Context g;
    g.device = kGpu;
    g.stream = cuda.stream();
    g.gemm = cuda.cublaslt();
    g.gemm_workspace = {cuda.lt_workspace(), cuda.lt_workspace_bytes()};
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
    SECTION("a bf16 GEMM asked of float tensors is an error, not a silent fp32 GEMM") {
        g.precision.gemm = DType::BF16;
        CHECK_THROWS_WITH(ops::linear_forward(g, dview(gy, {N, O}), dview(gx, {N, I}), dview(gw, {O, I}),
                                              dview(gb, {O})),
                          Catch::Contains("bfloat16 GEMMs on CUDA need bfloat16 tensors"));
    }
}
