// The element-wise, gather, log-softmax and loss-sum kernels: fixed values and naive
// references on random inputs (forward only: none of them has a backward).
#include <algorithm>
#include <cmath>

#include "kernels/cross_entropy.h"
#include "kernels/elementwise.h"
#include "kernels/log_softmax.h"
#include "kernels/top_k.h"
#include "support/gradcheck.h"

using namespace deepnet;
using namespace deepnet::test;
namespace k = deepnet::kernels::cpu;

TEST_CASE("add, copy, fill, accumulate and axpby", "[kernel][elementwise]") {
    const int64_t n = 37;  // not a multiple of the vector width
    const auto a = random_vec(size_t(n), 1), b = random_vec(size_t(n), 2);
    std::vector<double> y(static_cast<size_t>(n));
    k::add<double>(y.data(), a.data(), b.data(), n);
    for (int64_t i = 0; i < n; ++i) REQUIRE(y[size_t(i)] == a[size_t(i)] + b[size_t(i)]);
    k::copy<double>(y.data(), a.data(), n);
    REQUIRE(y == a);
    k::accumulate<double>(y.data(), b.data(), n);
    for (int64_t i = 0; i < n; ++i) REQUIRE(y[size_t(i)] == a[size_t(i)] + b[size_t(i)]);
    k::axpby<double>(y.data(), b.data(), 0.25, 0.5, n);
    for (int64_t i = 0; i < n; ++i)
        REQUIRE(y[size_t(i)] == 0.5 * (a[size_t(i)] + b[size_t(i)]) + 0.25 * b[size_t(i)]);
    k::fill<double>(y.data(), -3.5, n);
    for (double v : y) REQUIRE(v == -3.5);
}

TEST_CASE("gather_rows picks, repeats and drops rows of every block", "[kernel][elementwise]") {
    const int64_t blocks = 3, N = 4, C = 5;
    const auto x = random_vec(size_t(blocks * N * C), 3);
    const int64_t rows[] = {2, 2, 0};  // row 2 twice, row 0, rows 1 and 3 dropped
    const int64_t M = 3;
    std::vector<double> y(size_t(blocks * M * C), 0.0);
    k::gather_rows<double>(y.data(), x.data(), rows, blocks, M, N, C);
    for (int64_t b = 0; b < blocks; ++b)
        for (int64_t m = 0; m < M; ++m)
            for (int64_t c = 0; c < C; ++c)
                REQUIRE(y[size_t((b * M + m) * C + c)] == x[size_t((b * N + rows[m]) * C + c)]);
}

TEST_CASE("log_softmax rows and target log-probabilities match the naive formulas", "[kernel][log_softmax]") {
    const int64_t N = 3, V = 41;
    const auto z = random_vec(size_t(N * V), 4, 3.0);
    std::vector<double> naive(size_t(N * V));
    for (int64_t n = 0; n < N; ++n) {
        double s = 0;
        for (int64_t v = 0; v < V; ++v) s += std::exp(z[size_t(n * V + v)]);
        for (int64_t v = 0; v < V; ++v) naive[size_t(n * V + v)] = z[size_t(n * V + v)] - std::log(s);
    }
    std::vector<double> lp = z;
    k::log_softmax_forward<double>(lp.data(), N, V);
    require_close("log_softmax double", lp.data(), naive.data(), size_t(N * V), 1e-13, 1e-13);
    std::vector<float> lpf(z.begin(), z.end());
    k::log_softmax_forward<float>(lpf.data(), N, V);
    const std::vector<double> lpd(lpf.begin(), lpf.end());
    require_close("log_softmax float", lpd.data(), naive.data(), size_t(N * V), 1e-5, 1e-5);

    const int64_t targets[] = {7, -1, 40};
    double out[] = {0, 123, 0};  // row 1 is ignored: keeps its value
    k::target_log_probs<double>(out, z.data(), targets, N, V);
    CHECK(out[0] == Approx(naive[7]).epsilon(1e-13));
    CHECK(out[1] == 123);
    CHECK(out[2] == Approx(naive[size_t(2 * V + 40)]).epsilon(1e-13));
}

TEST_CASE("loss sums add the rows in order, in double", "[kernel][cross_entropy]") {
    const float loss[] = {1.5f, 0.25f, 1e8f, -1e8f}, nll[] = {1.f, 2.f, 3.f, 4.f};
    double sums[2];
    k::loss_sums<float>(sums, loss, nll, 4);
    CHECK(sums[0] == 1.75);  // 1.5 + 0.25 + 1e8 - 1e8 in double: nothing lost
    CHECK(sums[1] == 10.0);
}

TEST_CASE("top_k_rows_of_logits equals log_softmax_forward then top_k_rows, logits untouched", "[kernel][top_k]") {
    const int64_t N = 4, V = 203, k = 6;
    for (int64_t insertion_max_k : {int64_t(64), int64_t(0)}) {
        auto logits = random_vec(size_t(N * V), 17, 6.0);
        logits[5] = logits[6];  // a tie
        const std::vector<double> kept = logits;
        const double base[] = {0.0, -2.0, 1.0, -0.5};
        std::vector<int64_t> banned(size_t(V), 0), eos_only(size_t(V), 1);
        banned[0] = banned[2] = 1;
        eos_only[3] = 0;
        const int64_t last[] = {0, 1, 0, 0};
        std::vector<double> sc(size_t(N * k), 0.0), sc2(size_t(N * k), 0.0);
        std::vector<int64_t> tok(size_t(N * k), -1), tok2(size_t(N * k), -1), count(static_cast<size_t>(N)),
            count2(static_cast<size_t>(N));
        k::top_k_rows_of_logits<double>(sc.data(), tok.data(), count.data(), logits.data(), base, banned.data(),
                                        eos_only.data(), last, k, insertion_max_k, N, V);
        CHECK(logits == kept);
        std::vector<double> logp = logits;
        k::log_softmax_forward<double>(logp.data(), N, V);
        k::top_k_rows<double>(sc2.data(), tok2.data(), count2.data(), logp.data(), base, banned.data(),
                              eos_only.data(), last, k, insertion_max_k, N, V);
        CHECK(count == count2);
        CHECK(tok == tok2);
        CHECK(sc == sc2);
        CHECK(sc[0] < base[0]);  // normalised: log-probabilities are negative
    }
}

TEST_CASE("top_k_rows: insertion and selection keep the naive best k, masks respected", "[kernel][top_k]") {
    const int64_t N = 3, V = 97, k = 5;
    auto logp = random_vec(size_t(N * V), 9, 2.0);
    logp[10] = logp[11];  // a tie in row 0
    const double base[] = {0.0, -1.5, 2.0};
    std::vector<int64_t> banned(size_t(V), 0), eos_only(size_t(V), 1);
    banned[0] = banned[7] = 1;
    eos_only[3] = 0;
    const int64_t last[] = {0, 0, 1};  // row 2 at the length cap: </s> (token 3) alone
    for (int64_t insertion_max_k : {int64_t(64), int64_t(0)}) {
        std::vector<double> sc(size_t(N * k));
        std::vector<int64_t> tok(static_cast<size_t>(N * k)), count(static_cast<size_t>(N));
        k::top_k_rows<double>(sc.data(), tok.data(), count.data(), logp.data(), base, banned.data(),
                              eos_only.data(), last, k, insertion_max_k, N, V);
        for (int64_t n = 0; n < 2; ++n) {
            std::vector<std::pair<double, int64_t>> all;  // score desc, token asc
            for (int64_t w = 0; w < V; ++w)
                if (!banned[size_t(w)]) all.push_back({-(base[n] + logp[size_t(n * V + w)]), w});
            std::sort(all.begin(), all.end());
            REQUIRE(count[size_t(n)] == k);
            std::vector<std::pair<double, int64_t>> got;
            for (int64_t i = 0; i < k; ++i) got.push_back({-sc[size_t(n * k + i)], tok[size_t(n * k + i)]});
            std::sort(got.begin(), got.end());  // selection leaves the row unsorted
            for (int64_t i = 0; i < k; ++i) REQUIRE(got[size_t(i)] == all[size_t(i)]);
        }
        REQUIRE(count[2] == 1);
        CHECK(tok[size_t(2 * k)] == 3);
        CHECK(sc[size_t(2 * k)] == base[2] + logp[size_t(2 * V + 3)]);
    }
}
