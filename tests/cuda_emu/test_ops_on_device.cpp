// The CUDA room of src/ops on the emulated device: each op that has a CUDA kernel, called
// through the same ops entry with a CUDA context and device views, matches its CPU branch
// on random inputs (never zeros); the checks still speak for the device (a host view given
// to a CUDA op, a workspace that is too small, an element type no CUDA kernel stores).
// Attention saves different tensors on the two devices (probs on the CPU, lse on CUDA).
#include "cuda_test_support.h"
#include "src/ops/activation.h"
#include "src/ops/attention.h"
#include "src/ops/adamw.h"
#include "src/ops/cross_entropy.h"
#include "src/ops/dropout.h"
#include "src/ops/elementwise.h"
#include "src/ops/embedding.h"
#include "src/ops/log_softmax.h"
#include "src/ops/residual_layernorm.h"

using namespace deepnet;
using namespace deepnet::test_cuda;

namespace {

const Device kGpu{DeviceKind::CUDA, 0};

struct DeviceContext {
    Context ctx;
    Dev<char> scratch{int64_t(1) << 22};
    DeviceContext() {
        ctx.device = kGpu;
        ctx.scratch = {scratch.get(), static_cast<size_t>(1) << 22};
    }
};

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

std::vector<float> randoms(int64_t n, std::mt19937_64& rng) { return random_inputs<float>(n, rng).s; }

}  // namespace

TEST_CASE("ops on the device: dropout and activation equal the CPU branch", "[cuda][ops]") {
    auto rng = make_rng(101);
    DeviceContext g;
    const Context cpu;
    const int64_t n = 1001;
    const auto x = randoms(n, rng);
    std::vector<float> y(static_cast<size_t>(n)), h(static_cast<size_t>(n));
    ops::dropout_forward(cpu, view(y.data(), {n}), view(x.data(), {n}), 0.3, 77);
    Dev<float> dx(x), dy(n);
    ops::dropout_forward(g.ctx, dview(dy, {n}), dview(dx, {n}), 0.3, 77);
    check_close("dropout", dy.download(), y, 1e-7);  // the same mask, bit for bit
    ops::activation_forward(cpu, view(h.data(), {n}), view(x.data(), {n}), ops::ActKind::GELU);
    ops::activation_forward(g.ctx, dview(dy, {n}), dview(dx, {n}), ops::ActKind::GELU);
    check_close("gelu", dy.download(), h, 1e-6);
}

TEST_CASE("ops on the device: residual LayerNorm forward and backward", "[cuda][ops]") {
    auto rng = make_rng(102);
    DeviceContext g;
    const Context cpu;
    const int64_t N = 37, C = 96;
    const auto x = randoms(N * C, rng), f = randoms(N * C, rng), gamma = randoms(C, rng), beta = randoms(C, rng),
               dy = randoms(N * C, rng);
    std::vector<float> y(static_cast<size_t>(N * C)), mean(static_cast<size_t>(N)), rstd(static_cast<size_t>(N)), dx(static_cast<size_t>(N * C)), df(static_cast<size_t>(N * C)),
        dgamma(static_cast<size_t>(C), 0.f), dbeta(static_cast<size_t>(C), 0.f);
    ops::residual_layernorm_forward(cpu, view(y.data(), {N, C}), view(mean.data(), {N}), view(rstd.data(), {N}),
                                    view(x.data(), {N, C}), view(f.data(), {N, C}), view(gamma.data(), {C}),
                                    view(beta.data(), {C}), 1.7, 1e-5);
    ops::residual_layernorm_backward(cpu, view(dx.data(), {N, C}), view(df.data(), {N, C}), view(dgamma.data(), {C}),
                                     view(dbeta.data(), {C}), view(dy.data(), {N, C}), view(x.data(), {N, C}),
                                     view(f.data(), {N, C}), view(gamma.data(), {C}), view(mean.data(), {N}),
                                     view(rstd.data(), {N}), 1.7);
    Dev<float> gx(x), gf(f), gg(gamma), gb(beta), gdy(dy), gy(N * C), gm(N), gr(N), gdx(N * C), gdf(N * C),
        gdg(std::vector<float>(static_cast<size_t>(C), 0.f)), gdb(std::vector<float>(static_cast<size_t>(C), 0.f));
    ops::residual_layernorm_forward(g.ctx, dview(gy, {N, C}), dview(gm, {N}), dview(gr, {N}), dview(gx, {N, C}),
                                    dview(gf, {N, C}), dview(gg, {C}), dview(gb, {C}), 1.7, 1e-5);
    ops::residual_layernorm_backward(g.ctx, dview(gdx, {N, C}), dview(gdf, {N, C}), dview(gdg, {C}), dview(gdb, {C}),
                                     dview(gdy, {N, C}), dview(gx, {N, C}), dview(gf, {N, C}), dview(gg, {C}),
                                     dview(gm, {N}), dview(gr, {N}), 1.7);
    check_close("y", gy.download(), y, 1e-5);
    check_close("dx", gdx.download(), dx, 1e-4);
    check_close("df", gdf.download(), df, 1e-4);
    check_close("dgamma", gdg.download(), dgamma, 1e-4);
    check_close("dbeta", gdb.download(), dbeta, 1e-4);

    Context small = g.ctx;
    small.scratch.bytes = 16;
    CHECK_THROWS_WITH(ops::residual_layernorm_backward(small, dview(gdx, {N, C}), TensorView(), dview(gdg, {C}),
                                                       dview(gdb, {C}), dview(gdy, {N, C}), dview(gx, {N, C}),
                                                       TensorView(), dview(gg, {C}), dview(gm, {N}), dview(gr, {N}), 1.0),
                      Catch::Contains("bytes of workspace, the context has 16"));
}

TEST_CASE("ops on the device: embedding and cross-entropy", "[cuda][ops]") {
    auto rng = make_rng(103);
    DeviceContext g;
    const Context cpu;
    const int64_t V = 50, C = 16, N = 40, P = 12;
    const auto table = randoms(V * C, rng), pos = randoms(P * C, rng), dyv = randoms(N * C, rng);
    std::vector<int64_t> tokens(static_cast<size_t>(N)), positions(static_cast<size_t>(N)), targets(static_cast<size_t>(N));
    for (int64_t i = 0; i < N; ++i) tokens[static_cast<size_t>(i)] = (i * 7) % V, positions[static_cast<size_t>(i)] = i % P, targets[static_cast<size_t>(i)] = i % 5 == 4 ? -1 : (i * 3) % V;
    std::vector<float> y(static_cast<size_t>(N * C)), dtable(static_cast<size_t>(V * C), 0.f);
    ops::embedding_forward(cpu, view(y.data(), {N, C}), view(tokens.data(), {N}), view(positions.data(), {N}),
                           view(table.data(), {V, C}), view(pos.data(), {P, C}), 4.0);
    ops::embedding_backward(cpu, view(dtable.data(), {V, C}), view(dyv.data(), {N, C}), view(tokens.data(), {N}), 4.0, 0);
    Dev<float> gt(table), gp(pos), gy(N * C), gdy(dyv), gdt(std::vector<float>(static_cast<size_t>(V * C), 0.f));
    Dev<int64_t> gtok(tokens), gpos(positions), gtgt(targets);
    ops::embedding_forward(g.ctx, dview(gy, {N, C}), dview(gtok, {N}), dview(gpos, {N}), dview(gt, {V, C}),
                           dview(gp, {P, C}), 4.0);
    ops::embedding_backward(g.ctx, dview(gdt, {V, C}), dview(gdy, {N, C}), dview(gtok, {N}), 4.0, 0);
    check_close("embedding", gy.download(), y, 1e-6);
    check_close("dtable", gdt.download(), dtable, 1e-6);

    const auto logits = randoms(N * V, rng);
    std::vector<float> loss(static_cast<size_t>(N)), nll(static_cast<size_t>(N)), lse(static_cast<size_t>(N)), dl(static_cast<size_t>(N * V));
    ops::cross_entropy_forward(cpu, view(loss.data(), {N}), view(nll.data(), {N}), view(lse.data(), {N}),
                               view(logits.data(), {N, V}), view(targets.data(), {N}), 0.1);
    ops::cross_entropy_backward(cpu, view(dl.data(), {N, V}), view(logits.data(), {N, V}), view(lse.data(), {N}),
                                view(targets.data(), {N}), 0.1, 0.5);
    Dev<float> gl(logits), gloss(N), gnll(N), glse(N), gdl(N * V);
    ops::cross_entropy_forward(g.ctx, dview(gloss, {N}), dview(gnll, {N}), dview(glse, {N}), dview(gl, {N, V}),
                               dview(gtgt, {N}), 0.1);
    ops::cross_entropy_backward(g.ctx, dview(gdl, {N, V}), dview(gl, {N, V}), dview(glse, {N}), dview(gtgt, {N}), 0.1,
                                0.5);
    check_close("loss", gloss.download(), loss, 1e-5);
    check_close("nll", gnll.download(), nll, 1e-5);
    check_close("dlogits", gdl.download(), dl, 1e-5);
}

TEST_CASE("ops on the device: the shared AdamW step", "[cuda][ops]") {
    auto rng = make_rng(104);
    DeviceContext g;
    const Context cpu;
    const int64_t n = 3001;
    auto p = randoms(n, rng), m = std::vector<float>(static_cast<size_t>(n), 0.f), v = m;
    const auto grad = randoms(n, rng);
    Dev<float> gp(p), gg(grad), gm(m), gv(v);
    const ops::AdamConfig cfg{0.9, 0.98, 1e-9, 0.01, 0.5};
    int64_t steps_cpu = 0, steps_gpu = 0;
    for (int k = 0; k < 2; ++k) {
        const ops::UpdateInfo a = ops::adamw_step(cpu, view(p.data(), {n}), view(grad.data(), {n}), view(m.data(), {n}),
                                                  view(v.data(), {n}), cfg, 1e-3, 0.25, steps_cpu);
        const ops::UpdateInfo b = ops::adamw_step(g.ctx, dview(gp, {n}), dview(gg, {n}), dview(gm, {n}), dview(gv, {n}),
                                                  cfg, 1e-3, 0.25, steps_gpu);
        CHECK(b.finite);
        CHECK(b.grad_norm == Approx(a.grad_norm).epsilon(1e-12));
    }
    CHECK(steps_gpu == 2);
    check_close("params", gp.download(), p, 1e-6);
    check_close("m", gm.download(), m, 1e-6);
}

TEST_CASE("ops on the device: the checks still speak", "[cuda][ops]") {
    DeviceContext g;
    std::vector<float> host(8, 1.f);
    Dev<float> dev(host);
    CHECK_THROWS_WITH(ops::dropout_forward(g.ctx, dview(dev, {8}), view(host.data(), {8}), 0.1, 1),
                      Catch::Contains("x is f32[8] on cpu but the op runs on cuda:0"));
    // The CUDA kernels store float or bf16: double tensors on the device are refused by name.
    // (The CPU-only build's answer to a CUDA context is tested in tests/ops.)
    Dev<double> dev64(8);
    CHECK_THROWS_WITH(ops::log_softmax_forward(g.ctx, dview(dev64, {2, 4})),
                      Catch::Contains("log_softmax_forward: no kernel for f64 tensors"));
}

TEST_CASE("ops on the device: element-wise ops and row gathers", "[cuda][ops]") {
    auto rng = make_rng(105);
    DeviceContext g;
    const Context cpu;
    const int64_t n = 515;
    auto y = randoms(n, rng);
    const auto x = randoms(n, rng);
    Dev<float> gy(y), gx(x);
    ops::axpby(cpu, view(y.data(), {n}), view(x.data(), {n}), 0.001, 0.999);
    ops::axpby(g.ctx, dview(gy, {n}), dview(gx, {n}), 0.001, 0.999);
    ops::accumulate(cpu, view(y.data(), {n}), view(x.data(), {n}));
    ops::accumulate(g.ctx, dview(gy, {n}), dview(gx, {n}));
    check_close("axpby + accumulate", gy.download(), y, 3e-7);  // the CPU may fuse a multiply-add
    const std::vector<int64_t> rows = {4, 4, 1};
    std::vector<float> out(static_cast<size_t>(5 * 3 * 7));
    const auto src = randoms(5 * 5 * 7, rng);
    Dev<float> gsrc(src), gout(5 * 3 * 7);
    Dev<int64_t> grows(rows);
    ops::gather_rows(cpu, view(out.data(), {5, 3, 7}), view(src.data(), {5, 5, 7}), view(rows.data(), {3}));
    ops::gather_rows(g.ctx, dview(gout, {5, 3, 7}), dview(gsrc, {5, 5, 7}), dview(grows, {3}));
    check_close("gather_rows", gout.download(), out, 0.0);
}

TEST_CASE("ops on the device: attention forward and backward (lse saved, not probs)", "[cuda][ops]") {
    auto rng = make_rng(106);
    DeviceContext g;
    const Context cpu;
    const int64_t B = 2, H = 2, Tq = 9, Tk = 11, C = 64, Nq = B * Tq, Nk = B * Tk;
    const std::vector<int64_t> len = {11, 4};
    const auto q = randoms(Nq * C, rng), k = randoms(Nk * C, rng), v = randoms(Nk * C, rng), dout = randoms(Nq * C, rng);
    CHECK(ops::attention_saved_shape(cpu, B, H, Tq, Tk) == std::vector<int64_t>{B, H, Tq, Tk});
    CHECK(ops::attention_saved_shape(g.ctx, B, H, Tq, Tk) == std::vector<int64_t>{B, H, Tq});
    CHECK(ops::attention_saved_dtype(g.ctx, DType::BF16) == DType::F32);
    for (bool causal : {false, true}) {
        INFO("causal " << causal);
        std::vector<float> out(static_cast<size_t>(Nq * C)), probs(static_cast<size_t>(B * H * Tq * Tk)),
            dq(static_cast<size_t>(Nq * C)), dk(static_cast<size_t>(Nk * C)), dv(static_cast<size_t>(Nk * C));
        const TensorView saved_cpu = ops::attention_saved_view(cpu, probs.data(), DType::F32, B, H, Tq, Tk);
        ops::attention_forward(cpu, view(out.data(), {Nq, C}), saved_cpu, view(q.data(), {Nq, C}),
                               view(k.data(), {Nk, C}), view(v.data(), {Nk, C}), view(len.data(), {B}), causal, 0.1, 5);
        // The CPU backward reads probs and ignores out (passed empty here).
        ops::attention_backward(cpu, view(dq.data(), {Nq, C}), view(dk.data(), {Nk, C}), view(dv.data(), {Nk, C}),
                                view(dout.data(), {Nq, C}), saved_cpu, TensorView(), view(q.data(), {Nq, C}),
                                view(k.data(), {Nk, C}), view(v.data(), {Nk, C}), view(len.data(), {B}), causal, 0.1, 5);
        Dev<float> gq(q), gk(k), gv(v), gdo(dout), gout(Nq * C), glse(B * H * Tq), gdq(Nq * C), gdk(Nk * C), gdv(Nk * C);
        Dev<int64_t> glen(len);
        const TensorView saved = ops::attention_saved_view(g.ctx, glse.get(), DType::F32, B, H, Tq, Tk);
        ops::attention_forward(g.ctx, dview(gout, {Nq, C}), saved, dview(gq, {Nq, C}), dview(gk, {Nk, C}),
                               dview(gv, {Nk, C}), dview(glen, {B}), causal, 0.1, 5);
        ops::attention_backward(g.ctx, dview(gdq, {Nq, C}), dview(gdk, {Nk, C}), dview(gdv, {Nk, C}),
                                dview(gdo, {Nq, C}), saved, dview(gout, {Nq, C}), dview(gq, {Nq, C}),
                                dview(gk, {Nk, C}), dview(gv, {Nk, C}), dview(glen, {B}), causal, 0.1, 5);
        check_close("out", gout.download(), out, 1e-5);
        check_close("dq", gdq.download(), dq, 1e-5);
        check_close("dk", gdk.download(), dk, 1e-5);
        check_close("dv", gdv.download(), dv, 1e-5);
    }
    // The device's backward needs the forward's out, and the saved tensor the device saves.
    Dev<float> x(Nq * C), y(Nk * C), lse(B * H * Tq);
    Dev<int64_t> glen(len);
    CHECK_THROWS_WITH(ops::attention_backward(g.ctx, dview(x, {Nq, C}), dview(y, {Nk, C}), dview(y, {Nk, C}),
                                              dview(x, {Nq, C}), dview(lse, {B, H, Tq}), TensorView(), dview(x, {Nq, C}),
                                              dview(y, {Nk, C}), dview(y, {Nk, C}), dview(glen, {B}), false, 0.0, 1),
                      Catch::Contains("attention_backward: tensor out is missing"));
    CHECK_THROWS_WITH(ops::attention_forward(g.ctx, dview(x, {Nq, C}), dview(lse, {B, H, Tq, 1}), dview(x, {Nq, C}),
                                             dview(y, {Nk, C}), dview(y, {Nk, C}), dview(glen, {B}), false, 0.0, 1),
                      Catch::Contains("expected lse (B, H, Tq)"));
}
