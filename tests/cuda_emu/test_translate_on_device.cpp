// Decoding on the (emulated) GPU: `translate --devices 0` and `score --devices 0` run the
// same beam search, caches and scorer as the CPU with the model's weights on the device;
// in float32 the n-best lists are the same token for token, and the scores agree to
// summation order (1e-4).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>

#include "src/core/error.h"
#include "src/translate/decoding_device.h"
#include "src/translate/translator.h"
#include "tests/model/tiny_model.h"

using namespace deepnet;

namespace {

ModelConfig decoding_config(NormScheme norm) {
    ModelConfig c = test::tiny_config(norm);
    c.dim_emb = 64;  // 2 heads of 32, the attention kernels' smallest head dimension
    c.dim_ffn = 96;
    c.vocab_size = 40;
    return c;
}

std::vector<std::vector<int64_t>> random_sentences(const ModelConfig& c, int n, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int64_t> token(4, c.vocab_size - 1), length(1, 12);
    std::vector<std::vector<int64_t>> out(static_cast<size_t>(n));
    for (auto& s : out) {
        s.resize(size_t(length(rng)));
        for (auto& t : s) t = token(rng);
    }
    return out;
}

void check_same_nbest(const std::vector<std::vector<Hypothesis>>& gpu, const std::vector<std::vector<Hypothesis>>& cpu) {
    REQUIRE(gpu.size() == cpu.size());
    for (size_t i = 0; i < cpu.size(); ++i) {
        INFO("sentence " << i);
        REQUIRE(gpu[i].size() == cpu[i].size());
        REQUIRE_FALSE(cpu[i].empty());
        for (size_t k = 0; k < cpu[i].size(); ++k) {
            INFO("hypothesis " << k);
            CHECK(gpu[i][k].tokens == cpu[i][k].tokens);
            CHECK(std::fabs(gpu[i][k].score - cpu[i][k].score) <= 1e-4 * (1 + std::fabs(cpu[i][k].score)));
            CHECK(std::fabs(gpu[i][k].total - cpu[i][k].total) <= 1e-4 * (1 + std::fabs(cpu[i][k].total)));
        }
    }
}

}  // namespace

TEST_CASE("translate --devices 0: the GPU's n-best lists equal the CPU's, beam 1 and 4", "[cuda][decode]") {
    for (NormScheme norm : {NormScheme::DeepNorm, NormScheme::Pre}) {
        INFO(to_string(norm));
        const ModelConfig c = decoding_config(norm);
        Transformer<float> cpu(c, ModelUse::Inference);
        cpu.init_parameters();
        DecodingDevice device(cpu, {0});
        REQUIRE(device.model().context().device.kind == DeviceKind::CUDA);
        const auto sources = random_sentences(c, 7, 11);
        for (int64_t beam : {1, 4}) {
            INFO("beam " << beam);
            SearchOptions opt;
            opt.beam_size = beam;
            opt.max_length_factor = 1.5;
            opt.banned = {5};  // as a language tag would be
            // Several mini-batches (3 sentences each), and the CPU with two decoding threads.
            const auto on_cpu = translate_ids_parallel(cpu, sources, opt, 3, 2);
            const auto on_gpu = translate_ids_parallel(device.model(), sources, opt, 3, 2);
            check_same_nbest(on_gpu, on_cpu);
            int64_t produced = 0;
            for (const auto& nbest : on_gpu)
                for (const Hypothesis& h : nbest) {
                    for (int64_t t : h.tokens) CHECK(t != 5);
                    produced += int64_t(h.tokens.size());
                }
            CHECK(produced > 7 * beam);  // real sequences, not a row of empty translations
        }
    }
}

TEST_CASE("translate --devices 0 --precision bfloat16|float16: scores within 16-bit rounding of float32's",
          "[cuda][decode]") {
    const ModelConfig c = decoding_config(NormScheme::DeepNorm);
    Transformer<float> cpu(c, ModelUse::Inference);
    cpu.init_parameters();
    const auto sources = random_sentences(c, 6, 21);
    for (DType gemm : {DType::BF16, DType::F16}) {
        INFO(dtype_name(gemm));
        DecodingDevice device(cpu, {0}, gemm);
        REQUIRE(device.model().context().precision.gemm == gemm);
        SearchOptions opt;
        opt.beam_size = 3;
        opt.max_length_factor = 1.5;
        const auto nbest = translate_ids_parallel(device.model(), sources, opt, 4, 1);
        // Each 16-bit hypothesis rescored in float32 on the CPU: its score is the same sum of
        // log-probabilities up to the operands' rounding (bf16: 2^-9 relative per operand).
        std::vector<std::vector<int64_t>> src, tgt;
        std::vector<double> scores;
        for (size_t i = 0; i < nbest.size(); ++i)
            for (const Hypothesis& h : nbest[i]) {
                src.push_back(sources[i]);
                tgt.push_back(h.tokens);
                scores.push_back(h.score);
            }
        REQUIRE(scores.size() >= sources.size());
        const std::vector<double> exact = score_pairs(cpu, src, tgt, 8);
        double worst = 0;
        for (size_t i = 0; i < scores.size(); ++i)
            worst = std::max(worst, std::fabs(scores[i] - exact[i]) / (1 + std::fabs(exact[i])));
        CHECK(worst > 0);      // really rounded
        CHECK(worst < 2e-2);   // and only rounded
    }
}

TEST_CASE("score --devices 0: the GPU's sentence scores equal the CPU's", "[cuda][decode]") {
    const ModelConfig c = decoding_config(NormScheme::DeepNorm);
    Transformer<float> cpu(c, ModelUse::Inference);
    cpu.init_parameters();
    DecodingDevice device(cpu, {0});
    const auto sources = random_sentences(c, 9, 3), targets = random_sentences(c, 9, 4);
    const std::vector<double> a = score_pairs(cpu, sources, targets, 4);
    const std::vector<double> b = score_pairs(device.model(), sources, targets, 4);
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) {
        INFO("pair " << i);
        CHECK(a[i] < 0);
        CHECK(std::fabs(b[i] - a[i]) <= 1e-4 * (1 + std::fabs(a[i])));
    }
}

TEST_CASE("decoding devices: one GPU, named clearly otherwise", "[cuda][decode]") {
    const ModelConfig c = decoding_config(NormScheme::DeepNorm);
    Transformer<float> cpu(c, ModelUse::Inference);
    CHECK(&DecodingDevice(cpu, {}).model() == &cpu);
    CHECK_THROWS_WITH(DecodingDevice(cpu, {0, 1}), Catch::Contains("2 GPUs given"));
    CHECK_THROWS_WITH(DecodingDevice(cpu, {7}), Catch::Contains("GPU 7") || Catch::Contains("device 7") ||
                                                    Catch::Contains("--devices"));
}
