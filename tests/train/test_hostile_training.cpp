// Training under hostile conditions: damaged or inconsistent training states are refused
// (never resumed from), weights that go non-finite are never saved and stop the run with
// the divergence exit code, everything that could fail at the first save fails before the
// first update, and the last N checkpoints can be kept.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "src/core/atomic_file.h"
#include "src/core/error.h"
#include "src/core/exit_codes.h"
#include "src/io/model_file.h"
#include "src/train/checkpoints.h"
#include "src/train/train_state.h"
#include "train_fixture.h"

using namespace deepnet;
using namespace deepnet::test;

namespace {

bool exists(const std::string& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0;
}

std::vector<std::string> run_args(const std::string& dir, int64_t updates) {
    auto a = tiny_run_args(dir, "m.safetensors");
    set_arg(a, "--after-batches", std::to_string(updates));
    set_arg(a, "--valid-freq", "1000");
    return a;
}

}  // namespace

TEST_CASE("progress records that contradict themselves are refused", "[train][hostile]") {
    TrainProgress p;
    p.updates = 10;
    p.micro_batches = 10;
    p.skipped_updates = 2;
    const std::string good = progress_to_yaml(p);
    REQUIRE(progress_from_yaml(good, "s").skipped_updates == 2);
    p.skipped_updates = 11;  // more skipped than applied: Adam's step count would go negative
    REQUIRE_THROWS_WITH(progress_from_yaml(progress_to_yaml(p), "s"), Catch::Contains("inconsistent"));
    std::string bad = good;
    const size_t at = bad.find("data-fingerprint: ");
    REQUIRE(at != std::string::npos);
    bad.replace(at, std::string("data-fingerprint: ").size(), "data-fingerprint: x");
    REQUIRE_THROWS_WITH(progress_from_yaml(bad, "s"), Catch::Contains("data-fingerprint"));
    // Found by the fuzzer: a metric name that is not text (it did not survive a save).
    p.skipped_updates = 0;
    p.best["bl\x01\x9e" "eu"] = 27.5;
    REQUIRE_THROWS_WITH(progress_from_yaml(progress_to_yaml(p), "s"), Catch::Contains("damaged"));
}

TEST_CASE("a damaged training state is refused and the model file kept", "[train][hostile]") {
    const std::string dir = make_task_dir("damaged");
    auto args = run_args(dir, 4);
    set_arg(args, "--keep-checkpoints", "3");
    set_arg(args, "--save-freq", "2");
    REQUIRE(train_with(args) == kExitFinished);
    const std::string model = dir + "/m.safetensors", state = train_state_path(model);
    REQUIRE(exists(iter_model_path(model, 2)));
    REQUIRE(exists(train_state_path(iter_model_path(model, 4))));
    const std::string model_before = read_file(model);
    std::string bytes = read_file(state);
    for (size_t i = 0; i < 64; ++i) bytes[bytes.size() - 1000 + i] ^= 0x5a;  // 64 flipped bytes of data
    write_file_atomic(state, bytes);
    set_arg(args, "--after-batches", "8");
    REQUIRE_THROWS_WITH(train_with(args), Catch::Contains("damaged") && Catch::Contains("not resumed") &&
                                              Catch::Contains(train_state_path(iter_model_path(model, 2))));
    REQUIRE(read_file(model) == model_before);
    // The named earlier checkpoint resumes.
    write_file_atomic(state, read_file(train_state_path(iter_model_path(model, 2))));
    REQUIRE(train_with(args) == kExitFinished);
}

TEST_CASE("keep-checkpoints keeps the last N iteration copies", "[train][hostile]") {
    const std::string dir = make_task_dir("keep");
    auto args = run_args(dir, 8);
    set_arg(args, "--keep-checkpoints", "2");
    set_arg(args, "--save-freq", "2");
    REQUIRE(train_with(args) == kExitFinished);
    const std::string model = dir + "/m.safetensors";
    for (int u : {2, 4}) REQUIRE(!exists(iter_model_path(model, u)));
    for (int u : {6, 8}) {
        REQUIRE(exists(iter_model_path(model, u)));
        REQUIRE(exists(train_state_path(iter_model_path(model, u))));
    }
    REQUIRE(read_file(iter_model_path(model, 8)) == read_file(model));
    REQUIRE(iteration_states(model).front() == train_state_path(iter_model_path(model, 8)));
}

TEST_CASE("keep-checkpoints after a resume from an older state keeps the copy just written",
          "[train][hostile]") {
    const std::string dir = "train_test_keep_older";
    std::system(("rm -rf " + dir + " && mkdir -p " + dir).c_str());
    const std::string model = dir + "/m.safetensors";
    write_file_atomic(model, "weights at 6");
    write_file_atomic(train_state_path(model), "state at 6");
    // 2 and 4 from this timeline; 10 and 12 from a run that was abandoned (it resumed at 6).
    for (int u : {2, 4, 10, 12}) {
        write_file_atomic(iter_model_path(model, u), "weights");
        write_file_atomic(train_state_path(iter_model_path(model, u)), "state");
    }
    keep_last_checkpoints(model, 6, 2);
    REQUIRE(read_file(iter_model_path(model, 6)) == "weights at 6");
    REQUIRE(read_file(train_state_path(iter_model_path(model, 6))) == "state at 6");
    REQUIRE(exists(iter_model_path(model, 4)));
    for (int u : {2, 10, 12}) {
        REQUIRE(!exists(iter_model_path(model, u)));
        REQUIRE(!exists(train_state_path(iter_model_path(model, u))));
    }
    REQUIRE(iteration_states(model).front() == train_state_path(iter_model_path(model, 6)));
}

TEST_CASE("weights that go non-finite are never saved: exit diverged", "[train][hostile]") {
    const std::string dir = make_task_dir("nonfinite");
    SECTION("learn-rate 1e308: no model at all") {
        auto args = run_args(dir, 3);
        set_arg(args, "--learn-rate", "1e308");
        REQUIRE(train_with(args) == kExitDiverged);
        REQUIRE(!exists(dir + "/m.safetensors"));
    }
    SECTION("learn-rate 1e39 with frequent saves: every checkpoint written is finite") {
        auto args = run_args(dir, 20);
        set_arg(args, "--learn-rate", "1e39");
        set_arg(args, "--save-freq", "5");
        set_arg(args, "--disp-freq", "100");
        set_arg(args, "--max-skipped-updates", "3");
        REQUIRE(train_with(args) == kExitDiverged);
        if (exists(dir + "/m.safetensors")) REQUIRE_NOTHROW(load_model_file(dir + "/m.safetensors"));
    }
}

TEST_CASE("what would fail at the first save fails before training", "[train][hostile]") {
    const std::string dir = make_task_dir("preflight");
    auto args = run_args(dir, 2);
    SECTION("an empty --model") {
        set_arg(args, "-m", "");
        REQUIRE_THROWS_WITH(train_with(args), Catch::Contains("empty"));
    }
    SECTION("a model directory that does not exist is created") {
        set_arg(args, "-m", dir + "/new/sub/m.safetensors");
        set_arg(args, "--log-json", "none");
        REQUIRE(train_with(args) == kExitFinished);
        REQUIRE(exists(dir + "/new/sub/m.safetensors"));
    }
    SECTION("a model path under a regular file") {
        set_arg(args, "-m", dir + "/train.en/m.safetensors");
        REQUIRE_THROWS_WITH(train_with(args), Catch::Contains(dir + "/train.en"));
        REQUIRE(!exists(dir + "/vocab.spm"));  // nothing was done
    }
    SECTION("a model path that is a directory") {
        set_arg(args, "-m", dir);
        REQUIRE_THROWS_WITH(train_with(args), Catch::Contains("is a directory"));
    }
    SECTION("an option value that is not UTF-8") {
        set_arg(args, "--valid-translation-output", dir + "/out\xff");
        REQUIRE_THROWS_WITH(train_with(args), Catch::Contains("UTF-8"));
    }
}
