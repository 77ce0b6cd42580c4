// Exact resume: a run of 2k updates and a run stopped at k and restarted to 2k produce
// bitwise-identical weights, optimizer state and the same logged losses.
#include <catch2/catch.hpp>

#include <fstream>

#include "kernels/onednn_matmul.h"
#include "train_fixture.h"

using namespace deepnet;
using namespace deepnet::test;

TEST_CASE("a run stopped at k and resumed to 2k equals a straight run of 2k", "[train][resume]") {
    const std::string dir = make_task_dir("resume");
    for (const std::string extra : {"", "exponential-smoothing", "optimizer-delay", "bfloat16"}) {
        INFO("variant: " << (extra.empty() ? "plain" : extra));
        if (extra == "bfloat16" && !kernels::cpu::bf16_matmul_unavailable_reason().empty()) {
            REQUIRE_FALSE(__builtin_cpu_supports("avx512bw"));  // a CPU that should run it
            WARN("bfloat16 resume not tested: " << kernels::cpu::bf16_matmul_unavailable_reason());
            continue;
        }
        auto args = [&](const std::string& model, const std::string& after) {
            std::vector<std::string> a = tiny_run_args(dir, model);
            a.insert(a.end(), {"--after-batches", after, "--save-freq", "1000",
                               "--transformer-dropout", "0.2", "--transformer-dropout-attention", "0.1"});
            if (extra == "exponential-smoothing") a.insert(a.end(), {"--exponential-smoothing", "0.01"});
            if (extra == "optimizer-delay") a.insert(a.end(), {"--optimizer-delay", "2"});
            if (extra == "bfloat16") a.insert(a.end(), {"--precision", "bfloat16", "float32"});
            return a;
        };
        const std::string straight = "straight_" + extra + ".safetensors";
        const std::string split = "split_" + extra + ".safetensors";
        REQUIRE(train_with(args(straight, "12")) == 0);
        REQUIRE(train_with(args(split, "6")) == 0);
        REQUIRE(train_with(args(split, "12")) == 0);  // resumes from update 6

        const auto loss_a = json_field(dir + "/" + straight + ".train.jsonl", "train", "loss");
        const auto loss_b = json_field(dir + "/" + split + ".train.jsonl", "train", "loss");
        REQUIRE(loss_a.size() == 12);
        REQUIRE(loss_a == loss_b);
        const auto upd_b = json_field(dir + "/" + split + ".train.jsonl", "event", "updates");
        REQUIRE(upd_b == std::vector<std::string>{"6", "6", "12"});  // saved, resumed, saved

        // Weights bitwise (the metadata holds each run's own options, e.g. --model).
        const std::string a = tensor_bytes(dir + "/" + straight), b = tensor_bytes(dir + "/" + split);
        REQUIRE(a.size() > 100000);
        REQUIRE(a == b);
        // Weights, Adam moments and the weight average of the training state, bitwise.
        const std::string sa = tensor_bytes(dir + "/" + straight + ".state.safetensors");
        const std::string sb = tensor_bytes(dir + "/" + split + ".state.safetensors");
        REQUIRE(sa.size() > 3 * a.size() - 1);
        REQUIRE(sa == sb);
    }
}

TEST_CASE("rerunning a finished run does nothing, --no-reload starts afresh", "[train][resume]") {
    const std::string dir = make_task_dir("rerun");
    auto a = tiny_run_args(dir, "m.safetensors");
    a.insert(a.end(), {"--after-batches", "3"});
    REQUIRE(train_with(a) == 0);
    const std::string first = file_bytes(dir + "/m.safetensors");
    REQUIRE(train_with(a) == 0);
    REQUIRE(file_bytes(dir + "/m.safetensors") == first);
    auto b = a;
    b.push_back("--no-reload");
    b.insert(b.end(), {"--seed", "99"});
    REQUIRE(train_with(b) == 0);
    REQUIRE(file_bytes(dir + "/m.safetensors") != first);
}

TEST_CASE("changing the model shape on resume is a clear error", "[train][resume]") {
    const std::string dir = make_task_dir("shape");
    auto a = tiny_run_args(dir, "m.safetensors");
    auto b = a;
    a.insert(a.end(), {"--after-batches", "2"});
    REQUIRE(train_with(a) == 0);
    set_arg(b, "--enc-depth", "3");
    set_arg(b, "--after-batches", "4");
    REQUIRE_THROWS_WITH(train_with(b), Catch::Contains("--no-reload"));
}

TEST_CASE("changed training data on resume is a clear error", "[train][resume]") {
    const std::string dir = make_task_dir("datachange");
    auto a = tiny_run_args(dir, "m.safetensors");
    set_arg(a, "--after-batches", "2");
    REQUIRE(train_with(a) == 0);
    {
        std::ofstream en(dir + "/train.en", std::ios::app), xx(dir + "/train.xx", std::ios::app);
        en << "The dog sees the cat .\n";
        xx << "Der Hund die Katze sieht .\n";
    }
    set_arg(a, "--after-batches", "4");
    REQUIRE_THROWS_WITH(train_with(a), Catch::Contains("training data") && Catch::Contains("--no-reload"));
}
