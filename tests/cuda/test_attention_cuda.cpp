// Flash attention on CUDA (kernels/attention_*_cuda.cu) against the CPU twin, forward (out
// and the saved lse) and backward (dq, dk, dv), on random non-zero inputs: padding, causal,
// cross-attention with Tq != Tk and lengths that are not multiples of the 32-row tiles, head
// sizes 32, 40 (not a multiple of the mma k step), 64, 96 and 128, k and v as the two halves
// of one fused projection (row stride 2C), and dropout p = 0.1: a single different mask
// element moves an output by about 1/Tk of its size, far above the tolerances, so matching
// outputs prove the masks are the CPU's.
//
// Tolerances (|got - ref| <= atol max|ref| + rtol |ref|):
// - float: the CPU twin in double on the same inputs. The kernel differs only by fp32
//   rounding in a different summation order (online softmax, tiles): atol 2e-6, rtol 1e-5
//   (seen: at most about 2e-7 of max|ref|).
// - bf16: the CPU twin in float on the bf16-rounded inputs. The kernel also rounds P (and,
//   in backward, P keep and dS) to bf16 before the tensor-core products, as FlashAttention
//   does, and rounds its outputs to bf16 (relative 2^-9 each): out atol 1e-2, rtol 1e-2;
//   gradients atol 1e-2, rtol 1e-2 (dS = P (dP - D_i) loses relative precision where
//   dP - D_i cancels, and D_i is taken from the bf16-stored out, as on the device). On the
//   emulated device the worst errors of one seed were about a quarter of these; 37 seeds
//   passed.
// - lse (fp32 in both): atol 1e-5, rtol 1e-5 against a log-sum-exp in double.
#include <type_traits>

#include "cuda_test_support.h"
#include "kernels/attention.h"

namespace k = deepnet::kernels;
using namespace deepnet::test_cuda;

namespace {

struct Case {
    const char* name;
    int64_t B, H, Tq, Tk, D;
    std::vector<int64_t> key_len;
    bool causal;
    float p;
    bool fused_kv;  // k and v: the halves of one (B*Tk, 2C) buffer
};

const Case kCases[] = {
    {"self-attention with padding", 2, 2, 13, 13, 32, {13, 6}, false, 0.f, false},
    {"causal over two tiles", 2, 1, 37, 37, 64, {37, 20}, true, 0.f, false},
    {"cross 7 x 13, fused kv", 2, 2, 7, 13, 128, {13, 5}, false, 0.f, true},
    {"cross 40 x 45 with dropout", 1, 2, 40, 45, 64, {41}, false, 0.1f, false},
    {"causal with padding and dropout, D = 96", 2, 1, 35, 35, 96, {35, 30}, true, 0.1f, true},
    {"D = 40", 1, 3, 5, 9, 40, {9}, false, 0.f, false},
};

// lse_i of the scaled, masked scores, in double.
std::vector<double> ref_lse(const Case& c, const std::vector<double>& q, const std::vector<double>& kk,
                            int64_t ldk) {
    const int64_t C = c.H * c.D;
    const double scale = 1.0 / std::sqrt(double(float(c.D)));
    std::vector<double> lse(size_t(c.B * c.H * c.Tq));
    for (int64_t b = 0; b < c.B; ++b)
        for (int64_t h = 0; h < c.H; ++h)
            for (int64_t i = 0; i < c.Tq; ++i) {
                int64_t lim = std::min(c.key_len[size_t(b)], c.Tk);
                if (c.causal) lim = std::min(lim, i + 1);
                std::vector<double> s(static_cast<size_t>(lim));
                double mx = -INFINITY, sum = 0;
                for (int64_t j = 0; j < lim; ++j) {
                    double dot = 0;
                    for (int64_t d = 0; d < c.D; ++d)
                        dot += q[size_t((b * c.Tq + i) * C + h * c.D + d)] * kk[size_t((b * c.Tk + j) * ldk + h * c.D + d)];
                    s[size_t(j)] = dot * scale;
                    mx = std::max(mx, s[size_t(j)]);
                }
                for (double x : s) sum += std::exp(x - mx);
                lse[size_t((b * c.H + h) * c.Tq + i)] = mx + std::log(sum);
            }
    return lse;
}

// The head-slice columns [0, C) of rows of stride ld (the kv halves), as a dense array.
std::vector<double> columns(const std::vector<double>& x, int64_t rows, int64_t ld, int64_t first, int64_t C) {
    std::vector<double> out(size_t(rows * C));
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < C; ++c) out[size_t(r * C + c)] = x[size_t(r * ld + first + c)];
    return out;
}

template <typename T>
void check_case(const Case& c, std::mt19937_64& rng) {
    // The reference: double for float storage; for bf16, float (the CPU twin as it runs)
    // on the rounded values.
    using R = std::conditional_t<std::is_same_v<T, float>, double, float>;
    INFO(type_name(T{}) << ": " << c.name);
    const int64_t C = c.H * c.D, Nq = c.B * c.Tq, Nk = c.B * c.Tk, ldkv = c.fused_kv ? 2 * C : C;
    const k::cpu::AttentionDims dims{c.B, c.Tq, c.Tk, c.H, c.D, C, ldkv, ldkv, C};
    const auto q = random_inputs<T>(Nq * C, rng), dout = random_inputs<T>(Nq * C, rng);
    const auto kbuf = random_inputs<T>(Nk * ldkv, rng);
    const auto vsep = random_inputs<T>(c.fused_kv ? 0 : Nk * C, rng);
    const int64_t voff = c.fused_kv ? C : 0;  // v's first column in its buffer
    const std::vector<double>& vd = c.fused_kv ? kbuf.d : vsep.d;

    // CPU twin.
    auto cast = [](const std::vector<double>& x) { return std::vector<R>(x.begin(), x.end()); };
    const auto qr = cast(q.d), kr = cast(kbuf.d), vr = cast(vd), dor = cast(dout.d);
    std::vector<R> out_r(size_t(Nq * C)), probs(size_t(c.B * c.H * c.Tq * c.Tk)), dq_r(size_t(Nq * C));
    std::vector<R> dk_r(size_t(Nk * ldkv)), dv_r(size_t(Nk * ldkv));
    k::cpu::attention_forward<R>(out_r.data(), probs.data(), qr.data(), kr.data(), vr.data() + voff, c.key_len.data(),
                                 c.causal, R(c.p), 7777, dims);
    k::cpu::attention_backward<R>(dq_r.data(), dk_r.data(), dv_r.data() + voff, dor.data(), probs.data(), qr.data(),
                                  kr.data(), vr.data() + voff, c.key_len.data(), c.causal, R(c.p), 7777, dims);

    // CUDA.
    Dev<T> gq(q.s), gdo(dout.s), gk(kbuf.s), gv(c.fused_kv ? kbuf.s : vsep.s), gout(Nq * C);
    Dev<T> gdq(Nq * C), gdk(Nk * ldkv), gdv(Nk * ldkv);
    Dev<float> glse(c.B * c.H * c.Tq), scratch(k::cuda::attention_backward_scratch_floats(dims));
    Dev<int64_t> glen(c.key_len);
    k::cuda::attention_forward<T>(gout.get(), glse.get(), gq.get(), gk.get(), gv.get() + voff, glen.get(), c.causal,
                                  c.p, 7777, dims, nullptr);
    k::cuda::attention_backward<T>(gdq.get(), gdk.get(), gdv.get() + voff, gdo.get(), glse.get(), gout.get(),
                                   gq.get(), gk.get(), gv.get() + voff, glen.get(), c.causal, c.p, 7777, dims,
                                   scratch.get(), nullptr);

    const bool fp32 = std::is_same_v<T, float>;
    const double a_out = fp32 ? 2e-6 : 1e-2, r_out = fp32 ? 1e-5 : 1e-2;
    const double a_grad = fp32 ? 2e-6 : 1e-2, r_grad = fp32 ? 1e-5 : 1e-2;
    const std::vector<double> out_ref(out_r.begin(), out_r.end()), dq_ref(dq_r.begin(), dq_r.end());
    const std::vector<double> dk_all(dk_r.begin(), dk_r.end()), dv_all(dv_r.begin(), dv_r.end());
    const auto dk_ref = columns(dk_all, Nk, ldkv, 0, C), dv_ref = columns(dv_all, Nk, ldkv, voff, C);
    const auto lse_ref = ref_lse(c, q.d, kbuf.d, ldkv);
    CHECK_CLOSE("out", download_d(gout), out_ref, rel_tol(out_ref, a_out, r_out));
    CHECK_CLOSE("lse", download_d(glse), lse_ref, rel_tol(lse_ref, 1e-5, 1e-5));
    CHECK_CLOSE("dq", download_d(gdq), dq_ref, rel_tol(dq_ref, a_grad, r_grad));
    CHECK_CLOSE("dk", columns(download_d(gdk), Nk, ldkv, 0, C), dk_ref, rel_tol(dk_ref, a_grad, r_grad));
    CHECK_CLOSE("dv", columns(download_d(gdv), Nk, ldkv, voff, C), dv_ref, rel_tol(dv_ref, a_grad, r_grad));

    // No atomics: a second backward gives the same bits.
    const auto dq1 = gdq.download(), dk1 = gdk.download();
    k::cuda::attention_backward<T>(gdq.get(), gdk.get(), gdv.get() + voff, gdo.get(), glse.get(), gout.get(),
                                   gq.get(), gk.get(), gv.get() + voff, glen.get(), c.causal, c.p, 7777, dims,
                                   scratch.get(), nullptr);
    check_same_bits("dq, second run", gdq.download(), dq1);
    check_same_bits("dk, second run", gdk.download(), dk1);
}

}  // namespace

TEST_CASE("cuda attention forward and backward match the CPU twin (float)", "[cuda][attention]") {
    auto rng = make_rng(901);
    for (const Case& c : kCases) check_case<float>(c, rng);
}

TEST_CASE("cuda attention forward and backward match the CPU twin (bf16, tensor cores)", "[cuda][attention]") {
    auto rng = make_rng(902);
    for (const Case& c : kCases) check_case<bf16>(c, rng);
}

TEST_CASE("cuda attention refuses unsupported head sizes", "[cuda][attention]") {
    Dev<float> x(64), lse(8);
    Dev<int64_t> len(std::vector<int64_t>{2});
    for (int64_t D : {4, 36, 136}) {
        const k::cpu::AttentionDims dims{1, 2, 2, 1, D, D, D, D, D};
        CHECK_THROWS_WITH(k::cuda::attention_forward<float>(x.get(), lse.get(), x.get(), x.get(), x.get(), len.get(),
                                                            false, 0.f, 1, dims, nullptr),
                          Catch::Contains("head size D = " + std::to_string(D) + " is not supported"));
    }
}
