// `deepnet train --devices 0` end to end on the emulated GPU: the whole training step
// (embedding, attention, FFN, residual LayerNorm, loss, backward, AdamW, the weight average)
// runs through the CUDA branches of src/ops, and its losses and weights follow the CPU
// run of the same options; checkpoints move between the devices in both directions.
//
// What may differ: summation orders (cuBLASLt's, here the emulation's, against oneDNN's;
// the kernels' reductions against the CPU loops), so the runs agree to float rounding
// amplified by a few Adam steps, not bitwise. Dropout masks are the same bits.
// One documented exception: the key projections' biases. Their exact gradient is zero (a
// bias on the keys adds q.b to every logit of a row, which the softmax ignores), so both
// devices feed Adam rounding noise, which it normalises into steps of up to the learning
// rate: there the two runs agree only to learn-rate x updates, which is what is checked.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>

#include "src/io/safetensors.h"
#include "src/ops/linear.h"
#include "tests/train/train_fixture.h"

using namespace deepnet;
using namespace deepnet::test;

namespace {

std::vector<float> floats(const std::string& bytes) {
    std::vector<float> v(bytes.size() / sizeof(float));
    std::memcpy(v.data(), bytes.data(), v.size() * sizeof(float));
    return v;
}

constexpr double kLearnRate = 2e-3;  // tiny_run_args

bool zero_gradient(const std::string& name) { return name.find("k_proj.bias") != std::string::npos; }

// Every tensor of two checkpoints within atol + rtol |cpu| (the key biases within
// learn-rate x updates, see above); reports the worst element of each failing tensor.
void check_weights_close(const std::string& gpu_file, const std::string& cpu_file, double atol, double rtol,
                         int updates) {
    const SafetensorsFile a = load_safetensors(gpu_file), b = load_safetensors(cpu_file);
    REQUIRE(a.tensors.size() == b.tensors.size());
    REQUIRE(a.tensors.size() > 10);
    for (const auto& [name, ta] : a.tensors) {
        const auto& tb = b.tensors.at(name);
        const auto x = floats(ta.bytes), y = floats(tb.bytes);
        REQUIRE(x.size() == y.size());
        const bool noise = zero_gradient(name);
        size_t worst = 0, bad = 0;
        double worst_err = -1;
        for (size_t i = 0; i < x.size(); ++i) {
            const double err = std::fabs(double(x[i]) - double(y[i]));
            const double allowed = noise ? kLearnRate * updates : atol + rtol * std::fabs(double(y[i]));
            if (!(err <= allowed)) ++bad;
            if (err > worst_err || std::isnan(err)) worst_err = err, worst = i;
        }
        INFO(name << ": " << bad << " of " << x.size() << " out of tolerance; worst [" << worst << "] gpu "
                  << x[worst] << " cpu " << y[worst]);
        CHECK(bad == 0);
    }
}

std::vector<double> losses(const std::string& model_path) {
    std::vector<double> out;
    for (const std::string& s : json_field(model_path + ".train.jsonl", "train", "loss")) out.push_back(std::stod(s));
    return out;
}

std::vector<std::string> run_args(const std::string& dir, const std::string& model, const std::string& after) {
    std::vector<std::string> a = tiny_run_args(dir, model);
    set_arg(a, "--dim-emb", "64");  // 2 heads of 32: the attention kernels' smallest head dimension
    set_arg(a, "--transformer-dim-ffn", "96");
    set_arg(a, "--mini-batch-words", "120");
    a.insert(a.end(), {"--after-batches", after, "--save-freq", "1000", "--valid-freq", "1000",
                       "--transformer-dropout", "0.1", "--transformer-dropout-attention", "0.1",
                       "--transformer-dropout-ffn", "0.1", "--exponential-smoothing", "0.01"});
    return a;
}

std::vector<std::string> on_gpu(std::vector<std::string> a) {
    a.insert(a.end(), {"--devices", "0"});
    return a;
}

}  // namespace

TEST_CASE("train --devices 0 on the emulated GPU follows the CPU run", "[cuda][train]") {
    const std::string dir = make_task_dir("gpu_follows_cpu", 60);
    REQUIRE(train_with(run_args(dir, "cpu.safetensors", "4")) == 0);
    REQUIRE(train_with(on_gpu(run_args(dir, "gpu.safetensors", "4"))) == 0);
    const auto cpu = losses(dir + "/cpu.safetensors"), gpu = losses(dir + "/gpu.safetensors");
    REQUIRE(cpu.size() == 4);
    REQUIRE(gpu.size() == 4);
    for (size_t i = 0; i < cpu.size(); ++i) {
        INFO("update " << i + 1 << ": gpu loss " << gpu[i] << ", cpu " << cpu[i]);
        CHECK(std::fabs(gpu[i] - cpu[i]) <= 1e-4 * std::fabs(cpu[i]));
    }
    check_weights_close(dir + "/gpu.safetensors", dir + "/cpu.safetensors", 1e-4, 1e-3, 4);
    check_weights_close(dir + "/gpu.safetensors.state.safetensors", dir + "/cpu.safetensors.state.safetensors",
                        1e-4, 1e-3, 4);
}

// precision: [bfloat16|float16, float32] on both devices: the same operands rounded to 16
// bits, so the runs agree to a 16-bit rounding of the loss (a summation-order difference
// can move an operand across a rounding boundary, so not to float32's precision). float16
// runs with cost scaling, as a user would run it.
static void check_half_run(const std::string& type, const std::vector<std::string>& extra) {
    INFO("precision " << type);
    const std::string dir = make_task_dir("gpu_" + type, 60);
    std::vector<std::string> half{"--precision", type, "float32"};
    half.insert(half.end(), extra.begin(), extra.end());
    auto with_half = [&](std::vector<std::string> a) {
        a.insert(a.end(), half.begin(), half.end());
        return a;
    };
    REQUIRE(train_with(with_half(run_args(dir, "cpu.safetensors", "4"))) == 0);
    REQUIRE(train_with(with_half(on_gpu(run_args(dir, "gpu.safetensors", "4")))) == 0);
    REQUIRE(train_with(on_gpu(run_args(dir, "fp32.safetensors", "4"))) == 0);
    const auto cpu = losses(dir + "/cpu.safetensors"), gpu = losses(dir + "/gpu.safetensors"),
               fp32 = losses(dir + "/fp32.safetensors");
    REQUIRE(cpu.size() == 4);
    REQUIRE(gpu.size() == 4);
    double apart = 0;  // how far bf16 GEMMs move the GPU's losses from its float32 run
    for (size_t i = 0; i < cpu.size(); ++i) {
        INFO("update " << i + 1 << ": gpu loss " << gpu[i] << ", cpu " << cpu[i] << ", gpu float32 " << fp32[i]);
        CHECK(std::fabs(gpu[i] - cpu[i]) <= 2e-4 * std::fabs(cpu[i]));
        apart = std::max(apart, std::fabs(gpu[i] - fp32[i]) / std::fabs(fp32[i]));
    }
    CHECK(apart > 1e-5);  // the GEMMs did round: the bf16 run is not the float32 one
    check_weights_close(dir + "/gpu.safetensors", dir + "/cpu.safetensors", 2e-3, 1e-2, 4);
}

TEST_CASE("train --devices 0 with bf16 or fp16 GEMMs follows the CPU's run", "[cuda][train]") {
    check_half_run("float16", {"--cost-scaling", "256", "2", "2", "1"});
    if (!ops::bf16_gemm_unavailable_reason().empty()) {
        WARN("bfloat16 skipped: this CPU has no bf16 GEMMs (" << ops::bf16_gemm_unavailable_reason() << ")");
        return;
    }
    check_half_run("bfloat16", {});
}

TEST_CASE("a run started on the GPU resumes on the CPU, and back", "[cuda][train]") {
    const std::string dir = make_task_dir("gpu_cpu_resume", 60);
    REQUIRE(train_with(run_args(dir, "straight.safetensors", "6")) == 0);
    REQUIRE(train_with(on_gpu(run_args(dir, "moved.safetensors", "2"))) == 0);
    REQUIRE(train_with(run_args(dir, "moved.safetensors", "4")) == 0);           // resumes on the CPU
    REQUIRE(train_with(on_gpu(run_args(dir, "moved.safetensors", "6"))) == 0);  // and back on the GPU
    const auto upd = json_field(dir + "/moved.safetensors.train.jsonl", "event", "updates");
    REQUIRE(upd == std::vector<std::string>{"2", "2", "4", "4", "6"});  // saved, resumed, saved, ...
    check_weights_close(dir + "/moved.safetensors", dir + "/straight.safetensors", 1e-4, 1e-3, 6);
    check_weights_close(dir + "/moved.safetensors.state.safetensors", dir + "/straight.safetensors.state.safetensors",
                        1e-4, 1e-3, 6);
}

TEST_CASE("train --devices: what is not supported yet is a clear error", "[cuda][train]") {
    const std::string dir = make_task_dir("gpu_errors", 20);
    auto args = run_args(dir, "m.safetensors", "1");
    auto with = [&](std::vector<std::string> extra) {
        auto a = args;
        a.insert(a.end(), extra.begin(), extra.end());
        return a;
    };
    CHECK_THROWS_WITH(train_with(with({"--devices", "0", "1"})), Catch::Contains("a process drives one GPU"));
    CHECK_THROWS_WITH(train_with(with({"--devices", "0", "--distributed-backend", "nccl"})),
                      Catch::Contains("emulated GPU has no NCCL"));
    CHECK_THROWS_WITH(train_with(with({"--devices", "7"})), Catch::Contains("cuda:7 requested, but 1 CUDA device"));
    CHECK_THROWS_WITH(train_with(with({"--devices", "-1"})), Catch::Contains("a GPU number is 0 or more"));
}

TEST_CASE("train --devices 0 validates on the GPU: cross-entropy and BLEU", "[cuda][train]") {
    const std::string dir = make_task_dir("gpu_validates", 60);
    auto args = [&](const std::string& model) {
        auto a = run_args(dir, model, "2");
        set_arg(a, "--valid-freq", "2");
        a.insert(a.end(), {"--valid-sets", dir + "/valid.en", dir + "/valid.xx", "--valid-metrics",
                           "cross-entropy", "bleu", "--valid-max-sentences", "5", "--beam-size", "2"});
        return a;
    };
    REQUIRE(train_with(args("cpu.safetensors")) == 0);
    REQUIRE(train_with(on_gpu(args("gpu.safetensors"))) == 0);
    const auto cpu = json_field(dir + "/cpu.safetensors.train.jsonl", "valid", "value");
    const auto gpu = json_field(dir + "/gpu.safetensors.train.jsonl", "valid", "value");
    REQUIRE(cpu.size() == 2);  // cross-entropy, bleu
    REQUIRE(gpu.size() == 2);
    CHECK(std::stod(gpu[0]) == Approx(std::stod(cpu[0])).epsilon(1e-4));  // scored on the GPU
    CHECK(std::stod(gpu[1]) >= 0);                                          // translated on the GPU
}

TEST_CASE("train --devices 0 is deterministic, and recompute changes no bit", "[cuda][train]") {
    const std::string dir = make_task_dir("gpu_deterministic", 60);
    auto recompute = [](std::vector<std::string> a) {
        a.push_back("--recompute");
        return a;
    };
    REQUIRE(train_with(on_gpu(run_args(dir, "plain.safetensors", "3"))) == 0);
    REQUIRE(train_with(recompute(on_gpu(run_args(dir, "rc1.safetensors", "3")))) == 0);
    REQUIRE(train_with(recompute(on_gpu(run_args(dir, "rc2.safetensors", "3")))) == 0);
    for (const std::string suffix : {"", ".state.safetensors"}) {
        INFO("file " << suffix);
        const std::string rc1 = tensor_bytes(dir + "/rc1.safetensors" + suffix);
        REQUIRE(rc1.size() > 10000);
        CHECK(rc1 == tensor_bytes(dir + "/rc2.safetensors" + suffix));
        CHECK(rc1 == tensor_bytes(dir + "/plain.safetensors" + suffix));
    }
}
