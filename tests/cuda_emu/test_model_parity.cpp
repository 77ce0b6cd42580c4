// The whole-model parity test: one forward and backward of the same Transformer, same
// weights, same batch and dropout masks, on the CPU and on the (emulated) GPU: the loss and
// every named parameter gradient agree. Both sides are float32 and differ only in summation
// orders, so per tensor |gpu - cpu| <= 1e-5 max|cpu of the tensor| + 1e-3 |cpu| + 1e-7 of
// the largest gradient of the model (the last term for tensors whose exact gradient is zero,
// the key biases, where both sides hold rounding noise). With bf16 GEMMs on both sides
// (precision: [bfloat16, float32]) the operands are rounded alike, but a summation-order
// difference upstream can move a downstream operand across a bf16 rounding boundary, so
// the tolerances are those of one bf16 rounding (2^-9) instead.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>

#include "src/model/transformer.h"
#include "src/ops/device_runtime.h"
#include "src/ops/linear.h"
#include "tests/model/tiny_model.h"

using namespace deepnet;

namespace {

Batch random_batch(const ModelConfig& c, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int64_t> token(4, c.vocab_size - 1);
    std::vector<std::vector<int64_t>> src, tgt;
    // Lengths across the attention kernels' 32-row tiles, and padding in every batch.
    for (const auto& [ls, lt] : std::vector<std::pair<int, int>>{{40, 35}, {7, 12}, {33, 1}, {1, 31}}) {
        src.emplace_back(size_t(ls));
        tgt.emplace_back(size_t(lt));
        for (auto& t : src.back()) t = token(rng);
        for (auto& t : tgt.back()) t = token(rng);
    }
    return make_batch(src, tgt, c);
}

struct Tolerance {
    double loss = 1e-5, local = 1e-5, relative = 1e-3, global = 1e-7;
};

void check_parity(const ModelConfig& c, DType gemm = DType::F32, Tolerance tol = {}) {
    const ops::DeviceRuntime gpu_device(Device{DeviceKind::CUDA, 0});
    Transformer<float> cpu(c), gpu(c, ModelUse::Training, gpu_device.context());
    cpu.context().precision.gemm = gpu.context().precision.gemm = gemm;
    cpu.init_parameters();
    gpu.init_parameters();
    REQUIRE(gpu.params().value.to_vector() == cpu.params().value.to_vector());  // drawn on the host
    const Batch b = random_batch(c, 5);
    const StepRng rng{c.seed, 2, true};
    const double scale = 1.0 / double(b.target_tokens);
    const LossStats lc = cpu.forward(b, rng), lg = gpu.forward(b, rng);
    CHECK(lg.loss == Approx(lc.loss).epsilon(tol.loss));
    CHECK(lg.nll == Approx(lc.nll).epsilon(tol.loss));
    cpu.backward(b, rng, scale);
    gpu.backward(b, rng, scale);
    const std::vector<float> gc = cpu.params().grad.to_vector(), gg = gpu.params().grad.to_vector();
    double global = 0;
    for (float v : gc) global = std::max(global, double(std::fabs(v)));
    REQUIRE(global > 0);
    for (const ParamEntry& e : cpu.spec().layout.entries()) {
        double local = 0;
        for (int64_t i = 0; i < e.size; ++i) local = std::max(local, double(std::fabs(gc[size_t(e.offset + i)])));
        int64_t bad = 0, worst = 0;
        double worst_ratio = -1;
        for (int64_t i = 0; i < e.size; ++i) {
            const double want = gc[size_t(e.offset + i)], got = gg[size_t(e.offset + i)];
            const double allowed = tol.local * local + tol.relative * std::fabs(want) + tol.global * global;
            const double err = std::fabs(got - want);
            if (!(err <= allowed)) ++bad;
            if (err / allowed > worst_ratio || std::isnan(err)) worst_ratio = err / allowed, worst = i;
        }
        INFO(e.name << ": " << bad << " of " << e.size << " out of tolerance; worst [" << worst << "] gpu "
                    << gg[size_t(e.offset + worst)] << " cpu " << gc[size_t(e.offset + worst)]);
        CHECK(bad == 0);
    }
}

ModelConfig parity_config(NormScheme norm) {
    ModelConfig c = test::tiny_config(norm);
    c.dim_emb = 64;  // 2 heads of 32, the attention kernels' smallest head dimension
    c.dim_ffn = 96;
    c.vocab_size = 40;
    return c;
}

}  // namespace

TEST_CASE("one step on the GPU: the loss and every named gradient match the CPU", "[cuda][model]") {
    for (NormScheme norm : {NormScheme::Post, NormScheme::Pre, NormScheme::DeepNorm, NormScheme::SubLN}) {
        INFO("norm " << to_string(norm));
        check_parity(parity_config(norm));
    }
}

TEST_CASE("GPU parity with tied embeddings, ReLU and recompute", "[cuda][model]") {
    ModelConfig c = parity_config(NormScheme::DeepNorm);
    c.tied_embeddings_all = true;
    c.activation = Activation::ReLU;
    c.recompute = true;
    check_parity(c);
}

TEST_CASE("GPU parity with bf16 GEMMs on float weights (precision: [bfloat16, float32])", "[cuda][model]") {
    if (!ops::bf16_gemm_unavailable_reason().empty()) {
        WARN("skipped: this CPU has no bf16 GEMMs to compare with (" << ops::bf16_gemm_unavailable_reason() << ")");
        return;
    }
    for (NormScheme norm : {NormScheme::Post, NormScheme::DeepNorm}) {
        INFO("norm " << to_string(norm));
        check_parity(parity_config(norm), DType::BF16, {5e-4, 4e-3, 2e-2, 1e-5});
    }
}

// float16 operands carry 3 more bits than bf16: the tolerances of one fp16 rounding (2^-12).
TEST_CASE("GPU parity with fp16 GEMMs on float weights (precision: [float16, float32])", "[cuda][model]") {
    for (NormScheme norm : {NormScheme::Post, NormScheme::DeepNorm}) {
        INFO("norm " << to_string(norm));
        check_parity(parity_config(norm), DType::F16, {1e-4, 1e-3, 4e-3, 2e-6});
    }
}
