// Tests for the sacreBLEU-compatible statistical tests: numpy's generator bits, the two
// means, --confidence and the paired tests. Expected values come from numpy 1.24 and the
// reconstructed sacreBLEU 2.x (scripts/gen_sacrebleu_expectations.py explains the setup),
// printed with repr(), so they are compared exactly.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "src/core/error.h"
#include "src/eval/float_means.h"
#include "src/eval/numpy_random.h"
#include "src/eval/significance.h"

using namespace deepnet::eval;

TEST_CASE("NumpyGenerator reproduces np.random.default_rng", "[eval]") {
    NumpyGenerator raw(12345);  // rng.bit_generator.random_raw(3)
    CHECK(raw.next_uint64() == 0x3a32b18db2ffc19dULL);
    CHECK(raw.next_uint64() == 0x51171315c9e4c4deULL);
    CHECK(raw.next_uint64() == 0xcc2024823444efd9ULL);
    // default_rng(12345).integers(0, 37, 10) == .choice(37, 10)
    CHECK(NumpyGenerator(12345).choice(37, 10) ==
          std::vector<int64_t>{25, 8, 29, 11, 7, 29, 23, 25, 36, 14});
    CHECK(NumpyGenerator(12345).choice(1000, 5) == std::vector<int64_t>{699, 227, 788, 316, 204});
    CHECK(NumpyGenerator((1ULL << 40) + 3).choice(7, 8) == std::vector<int64_t>{5, 5, 3, 6, 2, 3, 2, 0});
    CHECK(NumpyGenerator(0).choice(3, 6) == std::vector<int64_t>{2, 1, 1, 0, 0, 0});
    CHECK(NumpyGenerator(5).choice(1, 4) == std::vector<int64_t>{0, 0, 0, 0});  // draws nothing
    // default_rng(12345).integers(2, size=40, dtype=bool)
    const std::vector<uint8_t> bits = NumpyGenerator(12345).booleans(40);
    std::string s;
    for (uint8_t b : bits) s += b ? '1' : '0';
    CHECK(s == "1011100110000011111111110100110110110001");
}

TEST_CASE("numpy_mean and python_mean round as numpy and statistics.mean do", "[eval]") {
    // np.random.default_rng(2).random(300) * 100: random() is (next_uint64 >> 11) / 2^53.
    NumpyGenerator g(2);
    std::vector<double> v;
    for (int i = 0; i < 300; ++i) v.push_back(static_cast<double>(g.next_uint64() >> 11) / 9007199254740992.0 * 100);
    CHECK(numpy_mean(v) == 48.12090449171867);    // np.array(v).mean()
    CHECK(python_mean(v) == 48.120904491718676);  // statistics.mean(v)
    CHECK(python_mean({0.1, 0.2, 0.3}) == 0.2);
    CHECK(python_mean({1e-300, 1.0}) == 0.5);
}

namespace {

const std::vector<std::vector<std::string>> kRefs = {
    {"the cat sat on the mat", "a b c d e", "one two three four", "hello world ."}};
const std::vector<std::string> kSys1 = {"the cat sat on a mat", "a c b d", "one two three", "hello there world"};
const std::vector<std::string> kSys2 = {"cat the sat on the mat", "a b c d e f", "four three two one",
                                        "hello world !"};

std::vector<MetricSpec> all_metrics() {
    MetricSpec bleu, chrf, ter;
    chrf.kind = MetricKind::Chrf;
    ter.kind = MetricKind::Ter;
    return {bleu, chrf, ter};
}

}  // namespace

TEST_CASE("bootstrap confidence equals sacreBLEU's corpus_score(n_bootstrap=100)", "[eval]") {
    const TestSeed seed{12345, "12345"};
    const std::vector<MetricSpec> m = all_metrics();
    const double expected[3][3] = {{37.94505718713114, 35.64749848421772, 26.77915792969568},
                                   {60.96540123179535, 59.08573431609468, 17.61525461671917},
                                   {33.33333333333333, 33.99571327865124, 15.909090638160706}};
    for (int k = 0; k < 3; ++k) {
        const SystemStats st = metric_stats(m[k], kSys1, kRefs);
        CHECK(metric_score(m[k], sum_stats(st)) == expected[k][0]);
        const ConfidenceInterval ci = bootstrap_confidence(m[k], st, 100, seed);
        CHECK(ci.mean == expected[k][1]);
        CHECK(ci.ci == expected[k][2]);
    }
}

TEST_CASE("paired tests equal sacreBLEU's PairedTest", "[eval]") {
    const TestSeed seed{12345, "12345"};
    std::vector<MetricSystems> in;
    for (const MetricSpec& spec : all_metrics())
        in.push_back({spec, {metric_stats(spec, kSys1, kRefs), metric_stats(spec, kSys2, kRefs)}});

    const auto bs = paired_test(in, PairedTestKind::Bootstrap, 200, seed);
    // BLEU: baseline (score, mean, ci), then system (score, p, mean, ci).
    CHECK(bs[0][0].score == 37.94505718713114);
    CHECK_FALSE(bs[0][0].p_value);
    CHECK(*bs[0][0].mean == 35.541832026234104);
    CHECK(*bs[0][0].ci == 26.708679784499257);
    CHECK(bs[0][1].score == 55.21710658453204);
    CHECK(*bs[0][1].p_value == 0.13432835820895522);
    CHECK(*bs[0][1].mean == 53.292372936915974);
    CHECK(*bs[0][1].ci == 26.27718186293826);
    CHECK(*bs[1][0].mean == 59.44568422965809);  // chrF2
    CHECK(*bs[1][1].p_value == 0.208955223880597);
    CHECK(*bs[1][1].mean == 68.15551600568138);
    CHECK(*bs[1][1].ci == 18.556678631101335);
    CHECK(*bs[2][0].mean == 33.77853785455227);  // TER: float32 ratios
    CHECK(*bs[2][0].ci == 13.333333283662796);
    CHECK(*bs[2][1].p_value == 0.4626865671641791);
    CHECK(*bs[2][1].mean == 33.410835936665535);
    CHECK(*bs[2][1].ci == 19.480520486831665);

    const auto ar = paired_test(in, PairedTestKind::ApproximateRandomization, 300, seed);
    CHECK_FALSE(ar[0][0].mean);
    CHECK(*ar[0][1].p_value == 0.5049833887043189);
    CHECK(*ar[1][1].p_value == 0.45514950166112955);
    CHECK(*ar[2][1].p_value == 0.7308970099667774);
    CHECK_FALSE(ar[2][1].mean);
}

TEST_CASE("paired tests give the same results for any number of jobs", "[eval]") {
    // sacreBLEU's PairedTest seeds each comparison on its own, so its n_jobs (--paired-jobs)
    // changes nothing but the speed; ours likewise, with several systems per worker too.
    const TestSeed seed{12345, "12345"};
    std::vector<MetricSystems> in;
    for (const MetricSpec& spec : all_metrics())
        in.push_back({spec, {metric_stats(spec, kSys1, kRefs), metric_stats(spec, kSys2, kRefs),
                             metric_stats(spec, kSys1, kRefs), metric_stats(spec, kSys2, kRefs)}});
    for (PairedTestKind kind : {PairedTestKind::Bootstrap, PairedTestKind::ApproximateRandomization}) {
        const auto one = paired_test(in, kind, 150, seed, 1);
        for (int jobs : {0, 2, 3, 8}) {
            const auto many = paired_test(in, kind, 150, seed, jobs);
            REQUIRE(many.size() == one.size());
            for (std::size_t m = 0; m < one.size(); ++m) {
                REQUIRE(many[m].size() == 4);
                for (std::size_t s = 0; s < 4; ++s) {
                    CHECK(many[m][s].score == one[m][s].score);
                    CHECK(many[m][s].p_value == one[m][s].p_value);
                    CHECK(many[m][s].mean == one[m][s].mean);
                    CHECK(many[m][s].ci == one[m][s].ci);
                }
            }
        }
        // Systems 1 and 3 are the same hypotheses, compared with the same draws.
        CHECK(one[0][1].p_value == one[0][3].p_value);
    }
}

TEST_CASE("SACREBLEU_SEED is read as sacreBLEU reads it", "[eval]") {
    ::setenv("SACREBLEU_SEED", "None", 1);
    CHECK_FALSE(test_seed_from_env().value);
    CHECK(test_seed_from_env().text == "none");
    ::setenv("SACREBLEU_SEED", "42", 1);
    CHECK(*test_seed_from_env().value == 42);
    ::setenv("SACREBLEU_SEED", "-3", 1);
    CHECK_THROWS_AS(test_seed_from_env(), deepnet::UserError);
    ::unsetenv("SACREBLEU_SEED");
    CHECK(test_seed_from_env().text == "12345");
}
