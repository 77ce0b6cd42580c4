// --log-update-norms: parameter groups, the schedule of measured updates, the LayerNorm
// input size recovered from saved statistics, and the model update on a probe batch.
#include <catch2/catch.hpp>

#include <cmath>
#include <set>
#include <string>

#include "src/train/update_diagnostics.h"
#include "tests/model/tiny_model.h"
#include "train_fixture.h"

using namespace deepnet;

TEST_CASE("update norms: parameter groups are sublayers, and cover every tensor once", "[train][diagnostics]") {
    ModelConfig c = test::tiny_config(NormScheme::DeepNorm);
    const ModelSpec spec = declare_model(c);
    const auto groups = parameter_groups(spec.layout);
    std::set<std::string> names;
    int64_t covered = 0;
    for (const auto& g : groups) {
        names.insert(g.name);
        for (const auto& [a, b] : g.ranges) covered += b - a;
    }
    REQUIRE(names.size() == groups.size());
    for (const char* n : {"encoder.0.self_attn", "encoder.1.ffn", "decoder.0.self_attn", "decoder.1.encoder_attn",
                          "decoder.1.ffn", "encoder.embed_tokens"})
        REQUIRE(names.count(n) == 1);
    REQUIRE(names.count("encoder.0.encoder_attn") == 0);
    int64_t total = 0;
    for (const ParamEntry& e : spec.layout.entries()) total += e.size;
    REQUIRE(covered == total);
}

TEST_CASE("update norms: every update to 10, every 10th to 100, then every N-th", "[train][diagnostics]") {
    for (int64_t u = 1; u <= 10; ++u) REQUIRE(update_norms_due(u, 500));
    REQUIRE(!update_norms_due(11, 500));
    REQUIRE(update_norms_due(20, 500));
    REQUIRE(!update_norms_due(110, 500));
    REQUIRE(update_norms_due(500, 500));
    REQUIRE(update_norms_due(1000, 500));
    REQUIRE(!update_norms_due(5, 0));  // off
}

TEST_CASE("update norms: the LayerNorm input size from its saved mean and rstd", "[train][diagnostics]") {
    // Two sentences of lengths 2 and 1, padded to L = 2: the padding row must not count.
    const std::vector<std::vector<double>> rows = {{1, -2, 3, 0.5}, {4, 4, -4, 1}, {100, 100, 100, 100}};
    const double eps = 1e-5;
    ResidualSaved<double> sv;
    sv.mean.ensure(Device{}, 4);
    sv.rstd.ensure(Device{}, 4);
    double expected = 0;
    for (size_t r = 0; r < rows.size(); ++r) {
        double m = 0, sq = 0;
        for (double v : rows[r]) m += v / 4;
        for (double v : rows[r]) sq += (v - m) * (v - m) / 4;
        sv.mean.data()[r] = m;
        sv.rstd.data()[r] = 1.0 / std::sqrt(sq + eps);
        double ms = 0;
        for (double v : rows[r]) ms += v * v / 4;
        expected += std::sqrt(ms) / 3;
    }
    sv.mean.data()[3] = 1e6;  // the padding row: ignored
    sv.rstd.data()[3] = 1e-6;
    // Rows are laid out b*L + t: (0,0) (0,1) (1,0) and the padding (1,1); sentence 1 has length 1.
    REQUIRE(layer_norm_input_rms(sv, eps, {2, 1}, 2) == Approx(expected).epsilon(1e-9));
}

TEST_CASE("update norms: a record per due update with a model update that starts at zero and grows",
          "[train][diagnostics]") {
    ModelConfig c = test::tiny_config(NormScheme::DeepNorm);
    c.dropout = c.dropout_attention = c.dropout_ffn = 0;
    Transformer<float> model(c);
    model.init_parameters();
    UpdateDiagnostics diag(5, test::tiny_batch(c));
    const Batch b = test::tiny_batch(c);
    std::vector<double> model_updates;
    for (int u = 1; u <= 3; ++u) {
        model.params().zero_grad();
        model.forward(b, StepRng{c.seed, uint64_t(u), false});
        model.backward(b, StepRng{c.seed, uint64_t(u), false}, 1.0);
        diag.before_step(model.params(), model.spec().layout, 0.5);
        if (u > 1)  // a plain SGD step, so the relative update is known
            for (size_t i = 0; i < model.params().value.size(); ++i)
                model.params().v(0)[i] -= 0.01f * model.params().g(0)[i];
        const std::string r = diag.after_step(u, model);
        REQUIRE(r.rfind("{\"type\":\"update_norms\",\"updates\":" + std::to_string(u), 0) == 0);
        REQUIRE(r.find("\"name\":\"decoder.1.ffn\"") != std::string::npos);
        REQUIRE(r.find("\"ln_input_rms\":{\"encoder\":[[") != std::string::npos);
        const size_t at = r.find("\"model_update\":");
        REQUIRE(at != std::string::npos);
        model_updates.push_back(std::stod(r.substr(at + 15)));
        if (u == 1) REQUIRE(r.find("\"rel_update\":0}") != std::string::npos);  // no step yet
    }
    REQUIRE(model_updates[0] == 0.0);  // theta_1 == theta_0: the initial model, rebuilt from the seed
    REQUIRE(model_updates[1] > 0.0);
    REQUIRE(model_updates[2] > model_updates[1]);
}

TEST_CASE("update norms in a training run: records in the JSON log, and the same weights as without",
          "[train][diagnostics]") {
    const std::string dir = test::make_task_dir("update_norms");
    auto args = test::tiny_run_args(dir, "with.safetensors");
    test::set_arg(args, "--after-batches", "12");
    args.insert(args.end(), {"--valid-sets", dir + "/valid.en", dir + "/valid.xx", "--valid-freq", "100"});
    auto plain = args;
    test::set_arg(plain, "-m", dir + "/without.safetensors");
    test::set_arg(args, "--log-update-norms", "5");
    REQUIRE(test::train_with(args) == 0);
    REQUIRE(test::train_with(plain) == 0);
    const auto updates = test::json_field(dir + "/with.safetensors.train.jsonl", "update_norms", "updates");
    REQUIRE(updates == std::vector<std::string>{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"});
    const auto moved = test::json_field(dir + "/with.safetensors.train.jsonl", "update_norms", "model_update");
    REQUIRE(std::stod(moved.front()) > 0);  // measured after the first step
    REQUIRE(std::stod(moved.back()) > std::stod(moved.front()));
    REQUIRE(test::json_field(dir + "/without.safetensors.train.jsonl", "update_norms", "updates").empty());
    // Measuring changes nothing: the probe forward runs without dropout and between updates.
    REQUIRE(test::tensor_bytes(dir + "/with.safetensors") == test::tensor_bytes(dir + "/without.safetensors"));
}
