// The decoding and scoring ops through src/ops on the emulated device: each op, called with
// a CUDA context and device views, matches its CPU branch on the same random inputs (the
// kernels' own tests in tests/cuda cover the shapes; these check the wiring: argument
// order, strides, dtypes, scratch and the copy back).
#include "ops_device_support.h"
#include "src/ops/attention.h"
#include "src/ops/cross_entropy.h"
#include "src/ops/log_softmax.h"
#include "src/ops/top_k.h"

using namespace deepnet;
using namespace deepnet::test_cuda;

TEST_CASE("decode ops on the device: log_softmax and target_log_probs", "[cuda][ops]") {
    auto rng = make_rng(201);
    DeviceContext g;
    const Context cpu;
    const int64_t N = 5, V = 301;
    auto logits = random_inputs<float>(N * V, rng, 0.01, 5.0).s;
    std::vector<int64_t> targets = {3, -1, 300, 0, 17};
    std::vector<double> lp(static_cast<size_t>(N), 7.0);
    ops::target_log_probs(cpu, view(lp.data(), {N}), view(logits.data(), {N, V}),
                          view(targets.data(), {N}));
    Dev<float> gx(logits);
    Dev<int64_t> gt(targets);
    Dev<double> glp(std::vector<double>(static_cast<size_t>(N), 7.0));
    ops::target_log_probs(g.ctx, dview(glp, {N}), dview(gx, {N, V}), dview(gt, {N}));
    check_close("target_log_probs", glp.download(), lp, 1e-12);  // row 1 keeps its 7

    std::vector<float> x = logits;
    ops::log_softmax_forward(cpu, view(x.data(), {N, V}));
    ops::log_softmax_forward(g.ctx, dview(gx, {N, V}));
    check_close("log_softmax", gx.download(), x, 2e-6);
}

TEST_CASE("decode ops on the device: loss_sums through the workspace", "[cuda][ops]") {
    auto rng = make_rng(202);
    DeviceContext g;
    const Context cpu;
    const int64_t N = 777;
    auto loss = random_inputs<float>(N, rng, 0.0, 9.0).s, nll = random_inputs<float>(N, rng, 0.0, 9.0).s;
    for (auto& v : loss) v = std::fabs(v);
    for (auto& v : nll) v = std::fabs(v);
    const ops::LossSums a = ops::loss_sums(cpu, view(loss.data(), {N}), view(nll.data(), {N}));
    Dev<float> gl(loss), gn(nll);
    const ops::LossSums b = ops::loss_sums(g.ctx, dview(gl, {N}), dview(gn, {N}));
    CHECK(b.loss == Approx(a.loss).epsilon(1e-13));
    CHECK(b.nll == Approx(a.nll).epsilon(1e-13));

    Context small = g.ctx;
    small.scratch.bytes = 64;
    CHECK_THROWS_WITH(ops::loss_sums(small, dview(gl, {N}), dview(gn, {N})),
                      Catch::Contains("loss_sums: needs"));
}

TEST_CASE("decode ops on the device: cached attention over a time-major cache", "[cuda][ops]") {
    auto rng = make_rng(203);
    DeviceContext g;
    const Context cpu;
    const int64_t N = 4, heads = 2, C = 48, T = 37;  // (T, N, C) self-attention cache
    auto q = random_inputs<float>(N * C, rng).s, k = random_inputs<float>(T * N * C, rng).s,
         v = random_inputs<float>(T * N * C, rng).s;
    std::vector<int64_t> blocks = {0, 1, 2, 3}, lens = {37, 1, 33, 20};
    const ops::CacheLayout layout{C, N * C};
    std::vector<float> out(static_cast<size_t>(N * C));
    ops::cached_attention_forward(cpu, view(out.data(), {N, C}), view(q.data(), {N, C}), view(k.data(), {T * N * C}),
                                  view(v.data(), {T * N * C}), view(blocks.data(), {N}), view(lens.data(), {N}), heads,
                                  layout);
    Dev<float> gq(q), gk(k), gv(v), gout(N * C);
    Dev<int64_t> gb(blocks), gl(lens);
    ops::cached_attention_forward(g.ctx, dview(gout, {N, C}), dview(gq, {N, C}), dview(gk, {T * N * C}),
                                  dview(gv, {T * N * C}), dview(gb, {N}), dview(gl, {N}), heads, layout);
    check_close("cached attention", gout.download(), out, 1e-5);
}

TEST_CASE("decode ops on the device: beam search's top-k", "[cuda][ops]") {
    auto rng = make_rng(204);
    DeviceContext g;
    const Context cpu;
    const int64_t N = 3, V = 700, K = 8;
    auto logp = random_inputs<float>(N * V, rng, 0.01, 9.0).s;
    for (auto& x : logp) x = -std::fabs(x);
    std::vector<double> base = {0.0, -2.5, -4.0};
    std::vector<int64_t> banned(static_cast<size_t>(V), 0), eos_only(static_cast<size_t>(V), 1), last = {0, 1, 0};
    banned[0] = banned[5] = 1;
    eos_only[2] = 0;
    std::vector<double> sc(static_cast<size_t>(N * K), 0.0);
    std::vector<int64_t> tok(static_cast<size_t>(N * K), 0), count(static_cast<size_t>(N), 0);
    ops::top_k_rows(cpu, view(sc.data(), {N, K}), view(tok.data(), {N, K}), view(count.data(), {N}),
                    view(logp.data(), {N, V}), view(base.data(), {N}), view(banned.data(), {V}),
                    view(eos_only.data(), {V}), view(last.data(), {N}), 64);
    Dev<float> glp(logp);
    Dev<double> gbase(base), gsc(std::vector<double>(sc.size(), 0.0));
    Dev<int64_t> gban(banned), geos(eos_only), glast(last), gtok(std::vector<int64_t>(tok.size(), 0)), gcount(N);
    ops::top_k_rows(g.ctx, dview(gsc, {N, K}), dview(gtok, {N, K}), dview(gcount, {N}), dview(glp, {N, V}),
                    dview(gbase, {N}), dview(gban, {V}), dview(geos, {V}), dview(glast, {N}), 64);
    CHECK(gcount.download() == count);
    CHECK(count[1] == 1);  // the length-cap row: </s> only
    CHECK(gtok.download() == tok);
    CHECK(gsc.download() == sc);
}
