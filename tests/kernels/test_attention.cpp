// attention: fixed cases (one key, uniform scores, masks), gradients by finite differences
// with padding, causal masks and dropout (double).
#include <limits>

#include "kernels/attention.h"
#include "support/gradcheck.h"

using namespace deepnet;
using namespace deepnet::test;
namespace k = deepnet::kernels::cpu;

TEST_CASE("attention with one visible key returns that key's value", "[kernel][attention]") {
    // B=1, Tq=2, Tk=3, H=1, D=2, key_len=1: every query sees only key 0.
    const k::AttentionDims d{1, 2, 3, 1, 2, 2, 2, 2, 2};
    auto q = random_vec(4, 1), kk = random_vec(6, 2), v = random_vec(6, 3);
    const int64_t len[] = {1};
    std::vector<double> out(4), probs(6);
    k::attention_forward<double>(out.data(), probs.data(), q.data(), kk.data(), v.data(), len,
                                 false, 0.0, 0, d);
    const double expect[] = {v[0], v[1], v[0], v[1]};
    require_close("out", out.data(), expect, 4, 1e-12, 0);
    REQUIRE(probs[1] == 0.0);
    REQUIRE(probs[2] == 0.0);
}

TEST_CASE("attention with equal keys averages the values, causal rows see a prefix", "[kernel][attention]") {
    const k::AttentionDims d{1, 3, 3, 1, 2, 2, 2, 2, 2};
    std::vector<double> q = {1, 0, 0, 1, 1, 1}, kk = {1, 1, 1, 1, 1, 1}, v = {1, 2, 3, 4, 5, 6};
    const int64_t len[] = {3};
    std::vector<double> out(6), probs(9);
    k::attention_forward<double>(out.data(), probs.data(), q.data(), kk.data(), v.data(), len,
                                 true, 0.0, 0, d);
    const double expect[] = {1, 2, 2, 3, 3, 4};  // prefix means of the values
    require_close("causal out", out.data(), expect, 6, 1e-12, 0);
}

TEST_CASE("attention backward matches finite differences", "[kernel][attention][grad]") {
    // Tiny heads (the scalar tails), and heads of 16 + 3 columns with more than 16 keys and
    // 4 + 2 queries (the kernel's 16-wide blocks, 4-output tiles and their remainders).
    struct Shape {
        int64_t B, Tq, Tk, H, D, len0, len1, clen0, clen1;
    };
    for (const Shape sh : {Shape{2, 3, 4, 2, 3, 4, 2, 3, 2}, Shape{2, 18, 21, 2, 19, 21, 13, 18, 11}}) {
        const int64_t B = sh.B, Tq = sh.Tq, H = sh.H, D = sh.D, C = H * D;
        const int64_t len[] = {sh.len0, sh.len1};
        const int64_t clen[] = {sh.clen0, sh.clen1};
        for (bool causal : {false, true}) {
            for (double p : {0.0, 0.3}) {
                const k::AttentionDims d{B, Tq, causal ? Tq : sh.Tk, H, D, C, C, C, C};
                const int64_t Tk_ = d.Tk;
                auto q = random_vec(B * Tq * C, 21), kk = random_vec(B * Tk_ * C, 22),
                     v = random_vec(B * Tk_ * C, 23);
                const auto r = random_vec(B * Tq * C, 24);
                const int64_t* kl = causal ? clen : len;
                auto loss = [&] {
                    std::vector<double> out(B * Tq * C), probs(B * H * Tq * Tk_);
                    k::attention_forward<double>(out.data(), probs.data(), q.data(), kk.data(),
                                                 v.data(), kl, causal, p, 77, d);
                    double s = 0;
                    for (size_t i = 0; i < out.size(); ++i) s += r[i] * out[i];
                    return s;
                };
                std::vector<double> out(B * Tq * C), probs(B * H * Tq * Tk_);
                k::attention_forward<double>(out.data(), probs.data(), q.data(), kk.data(), v.data(),
                                             kl, causal, p, 77, d);
                // dq, dk, dv are overwritten (=): start them as NaN.
                const double nan = std::numeric_limits<double>::quiet_NaN();
                std::vector<double> dq(q.size(), nan), dk(kk.size(), nan), dv(v.size(), nan);
                k::attention_backward<double>(dq.data(), dk.data(), dv.data(), r.data(), probs.data(),
                                              q.data(), kk.data(), v.data(), kl, causal, p, 77, d);
                INFO("D " << D << " causal " << causal << " dropout " << p);
                check_gradient("dq", loss, q.data(), dq.data(), q.size(), 200);
                check_gradient("dk", loss, kk.data(), dk.data(), kk.size(), 200);
                check_gradient("dv", loss, v.data(), dv.data(), v.size(), 200);
                // Masked (padding) keys get exactly zero gradient.
                for (int64_t c = 0; c < C; ++c) {
                    REQUIRE(dk[size_t((1 * Tk_ + kl[1]) * C + c)] == 0.0);
                    REQUIRE(dv[size_t((1 * Tk_ + kl[1]) * C + c)] == 0.0);
                }
            }
        }
    }
}

TEST_CASE("attention in float agrees with double (blocked shapes)", "[kernel][attention]") {
    const int64_t B = 2, Tq = 18, Tk = 21, H = 2, D = 19, C = H * D;
    const int64_t len[] = {21, 13};
    for (bool causal : {false, true}) {
        const k::AttentionDims d{B, Tq, causal ? Tq : Tk, H, D, C, C, C, C};
        const int64_t* kl = len;
        const int64_t clen[] = {18, 11};
        if (causal) kl = clen;
        const auto q = random_vec(size_t(B * Tq * C), 61), kk = random_vec(size_t(B * d.Tk * C), 62),
                   v = random_vec(size_t(B * d.Tk * C), 63), r = random_vec(size_t(B * Tq * C), 64);
        std::vector<double> od(B * Tq * C), pd(B * H * Tq * d.Tk), dqd(q.size()), dkd(kk.size()), dvd(v.size());
        k::attention_forward<double>(od.data(), pd.data(), q.data(), kk.data(), v.data(), kl, causal, 0.2, 9, d);
        k::attention_backward<double>(dqd.data(), dkd.data(), dvd.data(), r.data(), pd.data(), q.data(),
                                      kk.data(), v.data(), kl, causal, 0.2, 9, d);
        auto f = [](const std::vector<double>& x) { return std::vector<float>(x.begin(), x.end()); };
        const auto qf = f(q), kf = f(kk), vf = f(v), rf = f(r);
        std::vector<float> of(od.size()), pf(pd.size()), dqf(q.size()), dkf(kk.size()), dvf(v.size());
        k::attention_forward<float>(of.data(), pf.data(), qf.data(), kf.data(), vf.data(), kl, causal, 0.2f, 9, d);
        k::attention_backward<float>(dqf.data(), dkf.data(), dvf.data(), rf.data(), pf.data(), qf.data(),
                                     kf.data(), vf.data(), kl, causal, 0.2f, 9, d);
        INFO("causal " << causal);
        auto close = [](const char* what, const std::vector<float>& got, const std::vector<double>& ref) {
            std::vector<double> g(got.begin(), got.end());
            require_close(what, g.data(), ref.data(), ref.size(), 1e-4, 1e-5);
        };
        close("out", of, od);
        close("probs", pf, pd);
        close("dq", dqf, dqd);
        close("dk", dkf, dkd);
        close("dv", dvf, dvd);
    }
}
