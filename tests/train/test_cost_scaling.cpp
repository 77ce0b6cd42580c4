// precision [float16, float32] and --cost-scaling (Marian's dynamic loss scaling): a
// power-of-two scale changes no bit of a float32 run (every gradient is scaled exactly and
// divided out exactly); overflow skips the update and brings the scale down; the scale
// grows after `frequency` finite updates, survives a resume, and is logged.
#include <catch2/catch.hpp>

#include <cmath>

#include "src/io/safetensors.h"
#include "src/train/cost_scaling.h"
#include "train_fixture.h"

using namespace deepnet;
using namespace deepnet::test;

namespace {
std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& extra) {
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
}
}  // namespace

TEST_CASE("cost scaling: the scale grows, comes down, and stops at its minimum", "[train][f16]") {
    CostScaling c;
    c.on = true, c.scale = 8, c.frequency = 2, c.multiplier = 2, c.minimum = 2;
    TrainProgress p;
    start_cost_scaling(c, p);
    CHECK(cost_scale(c, p) == 8);
    CHECK(adjust_cost_scale(c, p, true));
    CHECK(p.cost_scale == 8);
    CHECK(adjust_cost_scale(c, p, true));
    CHECK(p.cost_scale == 16);  // two finite updates in a row
    CHECK(adjust_cost_scale(c, p, true));
    CHECK_FALSE(adjust_cost_scale(c, p, false));  // came down, and the count starts again
    CHECK(p.cost_scale == 8);
    CHECK(p.cost_scale_finite == 0);
    CHECK_FALSE(adjust_cost_scale(c, p, false));
    CHECK_FALSE(adjust_cost_scale(c, p, false));
    CHECK(p.cost_scale == 2);
    CHECK(adjust_cost_scale(c, p, false));  // at the minimum: a real skip
    CHECK(p.cost_scale == 2);
    start_cost_scaling(c, p);  // a resumed run keeps its scale
    CHECK(p.cost_scale == 2);
    c.on = false;
    start_cost_scaling(c, p);
    CHECK(cost_scale(c, p) == 1);
}

TEST_CASE("The cost-scaling option takes Marian's syntax and refuses nonsense", "[train][f16]") {
    const std::string dir = make_task_dir("cost_scaling_values", 60);
    const auto args = with(tiny_run_args(dir, "m.safetensors"), {"--after-batches", "1"});
    REQUIRE(train_with(with(args, {"--cost-scaling", "8.f", "10000", "1.f", "8.f"})) == 0);
    REQUIRE_THROWS_WITH(train_with(with(args, {"--no-reload", "--cost-scaling", "eight"})),
                        Catch::Contains("cost-scaling") && Catch::Contains("'eight' is not a positive number"));
    REQUIRE_THROWS_WITH(train_with(with(args, {"--no-reload", "--cost-scaling", "8", "2.5"})),
                        Catch::Contains("not a whole number"));
    REQUIRE_THROWS_WITH(train_with(with(args, {"--no-reload", "--cost-scaling", "8", "10", "0.5"})),
                        Catch::Contains("multiplier >= 1"));
    REQUIRE_THROWS_WITH(train_with(with(args, {"--no-reload", "--cost-scaling", "8", "10", "2", "16"})),
                        Catch::Contains("minimum <= scale"));
    REQUIRE_THROWS_WITH(train_with(with(args, {"--no-reload", "--cost-scaling", "8", "1", "2", "1", "5"})),
                        Catch::Contains("at most 4 values"));
}

TEST_CASE("a power-of-two cost scale changes no bit of a float32 run", "[train][f16]") {
    const std::string dir = make_task_dir("cost_scaling_exact", 120);
    const auto base = with(tiny_run_args(dir, "plain.safetensors"), {"--after-batches", "6"});
    auto scaled = with(tiny_run_args(dir, "scaled.safetensors"), {"--after-batches", "6"});
    scaled = with(scaled, {"--cost-scaling", "1024", "2", "4", "1"});  // 1024, then 4096, 16384, 65536
    REQUIRE(train_with(base) == 0);
    REQUIRE(train_with(scaled) == 0);
    const SafetensorsFile a = load_safetensors(dir + "/plain.safetensors"),
                          b = load_safetensors(dir + "/scaled.safetensors");  // headers differ: the config
    REQUIRE(a.tensors.size() > 10);
    for (const auto& [name, t] : a.tensors) {
        INFO(name);
        CHECK(t.bytes == b.tensors.at(name).bytes);
    }
    CHECK(json_field(dir + "/plain.safetensors.train.jsonl", "train", "grad_norm") ==
          json_field(dir + "/scaled.safetensors.train.jsonl", "train", "grad_norm"));
    CHECK(json_field(dir + "/scaled.safetensors.train.jsonl", "train", "cost_scale") ==
          std::vector<std::string>{"1024", "4096", "4096", "16384", "16384", "65536"});
    CHECK(json_field(dir + "/plain.safetensors.train.jsonl", "train", "cost_scale").empty());
}

TEST_CASE("float16 with cost scaling: overflow skips the update and the scale comes down", "[train][f16]") {
    const std::string dir = make_task_dir("cost_scaling_f16", 120);
    // 1e12 x the loss overflows float16's 65504 in the output gradient: those updates are
    // skipped (not counted as divergence) until the scale has come down far enough.
    const auto args = with(tiny_run_args(dir, "f16.safetensors"),
                           {"--after-batches", "12", "--precision", "float16", "float32", "--cost-scaling", "1e12",
                            "1000", "100", "1", "--max-skipped-updates", "2"});
    REQUIRE(train_with(args) == 0);
    const auto scales = json_field(dir + "/f16.safetensors.train.jsonl", "train", "cost_scale");
    const auto losses = json_field(dir + "/f16.safetensors.train.jsonl", "train", "loss");
    REQUIRE(scales.size() == losses.size());
    // Skipped updates log no progress line: the first logged update ran at a scale that
    // came down from 1e12 by factors of 100, and every logged loss is a real one.
    REQUIRE(losses.size() >= 4);
    CHECK(losses.size() < 12);
    CHECK(std::stod(scales.front()) < 1e6);
    CHECK(std::stod(scales.front()) >= 1);
    for (const auto& l : losses) CHECK((std::isfinite(std::stod(l)) && std::stod(l) > 1));
    CHECK(std::stod(losses.back()) < std::stod(losses.front()));
}

TEST_CASE("the cost scale survives a resume", "[train][f16]") {
    const std::string dir = make_task_dir("cost_scaling_resume", 120);
    const std::vector<std::string> scaling{"--cost-scaling", "2", "2", "2", "1", "--save-freq", "3"};
    REQUIRE(train_with(with(with(tiny_run_args(dir, "straight.safetensors"), {"--after-batches", "7"}), scaling)) == 0);
    REQUIRE(train_with(with(with(tiny_run_args(dir, "resumed.safetensors"), {"--after-batches", "3"}), scaling)) == 0);
    REQUIRE(train_with(with(with(tiny_run_args(dir, "resumed.safetensors"), {"--after-batches", "7"}), scaling)) == 0);
    const auto a = json_field(dir + "/straight.safetensors.train.jsonl", "train", "cost_scale");
    const auto b = json_field(dir + "/resumed.safetensors.train.jsonl", "train", "cost_scale");
    REQUIRE(a.size() == 7);
    CHECK(a == b);  // update 4 doubles the scale whether or not the run stopped at 3
    CHECK(a.back() == "16");
}
