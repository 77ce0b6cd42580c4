// top_k_rows on CUDA against the CPU twin, exactly: the same tokens, the same scores bit for
// bit, the same counts, and the entries past a row's count left as they were. Log-probs
// of even rows are drawn from 16 values (many exact ties, a few -inf), of odd rows from a
// continuum; some tokens are banned; rows 1, 5 use the length-cap mask (two tokens
// allowed; at V = 300 none, so they find nothing). For k above the CPU's insertion_max_k
// the CPU returns the set unsorted: its rows are sorted best first (lower token on ties)
// before the comparison, and the kernel must give that.
#include "cuda_test_support.h"
#include "kernels/log_softmax.h"
#include "kernels/top_k.h"

#include <cmath>
#include <type_traits>

#include <limits>
#include <numeric>

namespace k = deepnet::kernels;
using namespace deepnet::test_cuda;

namespace {

constexpr double kScoreSentinel = 99.5;
constexpr int64_t kTokenSentinel = -7;

// The CPU's selection output sorted as the kernel sorts it.
void sort_rows(std::vector<double>& sc, std::vector<int64_t>& tok, const std::vector<int64_t>& count, int64_t K) {
    for (size_t n = 0; n < count.size(); ++n) {
        std::vector<size_t> idx(size_t(count[n]));
        std::iota(idx.begin(), idx.end(), n * size_t(K));
        std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
            return sc[a] > sc[b] || (sc[a] == sc[b] && tok[a] < tok[b]);
        });
        std::vector<double> s2;
        std::vector<int64_t> t2;
        for (size_t i : idx) s2.push_back(sc[i]), t2.push_back(tok[i]);
        std::copy(s2.begin(), s2.end(), sc.begin() + long(n * size_t(K)));
        std::copy(t2.begin(), t2.end(), tok.begin() + long(n * size_t(K)));
    }
}

template <typename T>
void check_top_k(int64_t N, int64_t V, int64_t K, int64_t insertion_max_k, std::mt19937_64& rng) {
    INFO(type_name(T{}) << " N=" << N << " V=" << V << " k=" << K << " insertion_max_k=" << insertion_max_k);
    // Even rows: 16 levels (exact in bf16), a few of them -inf: ties everywhere.
    std::uniform_int_distribution<int> level(0, 15);
    std::uniform_real_distribution<double> smooth(-8.0, 0.0);
    std::vector<double> lp(static_cast<size_t>(N * V));
    for (size_t i = 0; i < lp.size(); ++i) {
        const int l = level(rng);
        if ((i / size_t(V)) % 2) lp[i] = smooth(rng);
        else lp[i] = l == 15 && level(rng) < 4 ? -std::numeric_limits<double>::infinity() : -0.25 * l;
    }
    const auto logp = to_storage_vec<T>(lp);
    std::vector<double> base(static_cast<size_t>(N));
    for (size_t n = 0; n < base.size(); ++n) base[n] = n % 3 == 0 ? 0.0 : -1.5 * double(n);  // rows 0, 3 share a base
    std::bernoulli_distribution ban(0.2);
    std::vector<int64_t> banned(static_cast<size_t>(V)), banned_last(static_cast<size_t>(V), 1), last(static_cast<size_t>(N));
    for (auto& x : banned) x = ban(rng);
    banned_last[size_t(V - 1)] = 0;
    banned_last[size_t(V / 2)] = 0;
    for (size_t n = 0; n < last.size(); ++n) last[n] = n % 4 == 1;
    const bool all_banned = V == 300;  // then the length-cap rows (1, 5) find no token
    if (all_banned) banned_last[size_t(V - 1)] = banned_last[size_t(V / 2)] = 1;

    std::vector<double> sc(static_cast<size_t>(N * K), kScoreSentinel);
    std::vector<int64_t> tok(static_cast<size_t>(N * K), kTokenSentinel), count(static_cast<size_t>(N), -1);
    k::cpu::top_k_rows<double>(sc.data(), tok.data(), count.data(), to_doubles(logp).data(), base.data(),
                               banned.data(), banned_last.data(), last.data(), K, insertion_max_k, N, V);
    if (K > insertion_max_k) sort_rows(sc, tok, count, K);

    Dev<T> glp(logp);
    Dev<double> gbase(base), gsc(std::vector<double>(sc.size(), kScoreSentinel));
    Dev<int64_t> gban(banned), gbl(banned_last), glast(last), gtok(std::vector<int64_t>(tok.size(), kTokenSentinel)),
        gcount(N);
    k::cuda::top_k_rows<T>(gsc.get(), gtok.get(), gcount.get(), glp.get(), gbase.get(), gban.get(), gbl.get(),
                           glast.get(), K, N, V, nullptr);
    check_same_bits("count", gcount.download(), count);
    check_same_bits("tokens", gtok.download(), tok);
    check_same_bits("scores", gsc.download(), sc);
    if (all_banned) CHECK(count[1] == 0);  // the case is really there
}

}  // namespace

TEST_CASE("cuda top_k_rows equals the CPU: tokens, scores, ties and masks", "[cuda][top_k]") {
    auto rng = make_rng(601);
    for (int64_t V : {1, 7, 300, 1000, 5003})
        for (int64_t K : {1, 4, 10, 64, 100, 256})
            for (int64_t insertion_max_k : {int64_t(0), int64_t(64)}) {
                check_top_k<float>(6, V, K, insertion_max_k, rng);
                check_top_k<bf16>(5, V, K, insertion_max_k, rng);
            }
}

namespace {

// The fused kernel against the device's own log_softmax_forward + top_k_rows, bit for bit
// (the same lse, the same rounding to T), and against the CPU twin: the same tokens, scores
// within the two devices' exp/log rounding. Logits from a continuum plus exact ties.
template <typename T>
void check_top_k_of_logits(int64_t N, int64_t V, int64_t K, std::mt19937_64& rng) {
    INFO(type_name(T{}) << " N=" << N << " V=" << V << " k=" << K);
    std::uniform_real_distribution<double> logit(-12.0, 12.0);
    std::vector<double> x(static_cast<size_t>(N * V));
    for (size_t i = 0; i < x.size(); ++i) x[i] = i % 7 == 3 ? 2.0 : logit(rng);
    const auto logits = to_storage_vec<T>(x);
    std::vector<double> base(static_cast<size_t>(N));
    for (size_t n = 0; n < base.size(); ++n) base[n] = -0.75 * double(n);
    std::vector<int64_t> banned(static_cast<size_t>(V)), banned_last(static_cast<size_t>(V), 1),
        last(static_cast<size_t>(N));
    for (size_t w = 0; w < banned.size(); ++w) banned[w] = w % 11 == 0;
    banned_last[size_t(V - 1)] = 0;
    for (size_t n = 0; n < last.size(); ++n) last[n] = n % 3 == 2;
    Dev<double> gbase(base);
    Dev<int64_t> gban(banned), gbl(banned_last), glast(last);
    // Fused, on the logits (left unchanged).
    Dev<T> gx(logits);
    Dev<double> gsc(N * K);
    Dev<int64_t> gtok(N * K), gcount(N);
    k::cuda::top_k_rows_of_logits<T>(gsc.get(), gtok.get(), gcount.get(), gx.get(), gbase.get(), gban.get(), gbl.get(),
                                     glast.get(), K, N, V, nullptr);
    check_same_bits("logits", gx.download(), logits);
    // Unfused: log_softmax in place, then top-k.
    Dev<T> glp(logits);
    k::cuda::log_softmax_forward<T>(glp.get(), N, V, nullptr);
    Dev<double> gsc2(N * K);
    Dev<int64_t> gtok2(N * K), gcount2(N);
    k::cuda::top_k_rows<T>(gsc2.get(), gtok2.get(), gcount2.get(), glp.get(), gbase.get(), gban.get(), gbl.get(),
                           glast.get(), K, N, V, nullptr);
    const auto count = gcount.download(), tok = gtok.download();
    const auto sc = gsc.download();
    check_same_bits("count", count, gcount2.download());
    check_same_bits("tokens", tok, gtok2.download());
    check_same_bits("scores", sc, gsc2.download());
    // The CPU twin (exact insertion order for k <= 64), float only: bf16 rounds x - lse to
    // bf16 on the device, where the float twin keeps it.
    if constexpr (!std::is_same_v<T, float>) return;
    if (K > 64) return;
    std::vector<double> csc(static_cast<size_t>(N * K));
    std::vector<int64_t> ctok(static_cast<size_t>(N * K)), ccount(static_cast<size_t>(N));
    const std::vector<double> xd = to_doubles(logits);
    std::vector<float> xf(xd.begin(), xd.end());
    k::cpu::top_k_rows_of_logits<float>(csc.data(), ctok.data(), ccount.data(), xf.data(), base.data(), banned.data(),
                                        banned_last.data(), last.data(), K, 64, N, V);
    CHECK(ccount == count);
    int64_t differ = 0;
    for (int64_t n = 0; n < N; ++n)
        for (int64_t i = 0; i < count[size_t(n)]; ++i) {
            const size_t j = size_t(n * K + i);
            differ += ctok[j] != tok[j];
            REQUIRE(std::fabs(csc[j] - sc[j]) <= 1e-4 * (1 + std::fabs(csc[j])));
        }
    CHECK(differ <= N);  // a swap only where two candidates lie within rounding of each other
}

}  // namespace

TEST_CASE("cuda top_k_rows_of_logits equals log_softmax then top_k on the device, and the CPU twin",
          "[cuda][top_k]") {
    auto rng = make_rng(607);
    for (int64_t V : {1, 7, 300, 1001, 8000})
        for (int64_t K : {1, 4, 12, 256}) {
            check_top_k_of_logits<float>(5, V, K, rng);
            check_top_k_of_logits<bf16>(4, V, K, rng);
        }
}

TEST_CASE("cuda top_k_rows rejects k above its maximum", "[cuda][top_k]") {
    Dev<double> d(1);
    Dev<int64_t> i(1);
    Dev<float> f(1);
    CHECK_THROWS_WITH(k::cuda::top_k_rows<float>(d.get(), i.get(), i.get(), f.get(), d.get(), i.get(), i.get(),
                                                 i.get(), k::cuda::top_k_max_k + 1, 1, 1, nullptr),
                      Catch::Contains("k = 257 not in [1, 256]"));
}
