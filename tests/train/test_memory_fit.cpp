// The memory plan in a training run: printed before the first update, --mini-batch-fit's
// table measured at start-up and obeyed by every batch, a bigger workspace giving bigger
// batches, and --dump-memory of the paper's 1,000-layer config against the parameter
// formula of docs/memory.md.
#include <catch2/catch.hpp>

#include <fstream>
#include <new>
#include <regex>

#include <unistd.h>
#include <sstream>

#include "src/core/device_memory.h"
#include "src/core/out_of_memory.h"
#include "src/model/memory_estimate.h"
#include "src/train/memory_report.h"
#include "support/run_binary.h"
#include "tests/train/train_fixture.h"

using namespace deepnet;
using namespace deepnet::test;
using Catch::Matchers::Contains;

namespace {

std::string read_all(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Mean sentences per update of a --mini-batch-fit run with a workspace of `mb` MB.
double fitted_run(const std::string& dir, const std::string& name, int64_t mb, std::string* log) {
    std::vector<std::string> args = tiny_run_args(dir, name + ".safetensors");
    args.insert(args.end(), {"--mini-batch-fit", "--workspace", std::to_string(mb), "--mini-batch-fit-step", "8",
                             "--max-length", "40", "--after-batches", "6", "--log-json", dir + "/" + name + ".jsonl"});
    log::set_file(dir + "/" + name + ".log");  // --log is the command's (start_command), not the trainer's
    const int code = train_with(args);
    log::set_file("");
    REQUIRE(code == 0);
    *log = read_all(dir + "/" + name + ".log");
    const auto sentences = json_field(dir + "/" + name + ".jsonl", "train", "sentences");
    REQUIRE(sentences.size() == 6);
    double sum = 0;
    for (const auto& s : sentences) sum += std::stod(s);
    return sum / 6;
}

}  // namespace

TEST_CASE("out of memory is recognised by type, not by the words of a message", "[train][memory]") {
    CHECK(is_out_of_memory(OutOfMemory("out of GPU memory allocating activations")));
    CHECK(is_out_of_memory(std::bad_alloc()));
    // A message that merely mentions memory (a bad option, say) is not the allocator's.
    CHECK_FALSE(is_out_of_memory(UserError("--workspace: out of memory? give MB, e.g. -w 10000")));
    CHECK_FALSE(is_out_of_memory(Error("cudaMalloc failed: out of memory")));
#ifndef __SANITIZE_ADDRESS__  // ASan aborts on such a request instead of returning null
    // The host allocator throws the type when the allocation cannot be made.
    try {
        device_allocate(Device{}, int64_t(1) << 48, "activations");  // the cap; no address space holds it
        FAIL("an allocation of 2^48 bytes succeeded");
    } catch (const OutOfMemory& e) {
        CHECK(std::string(e.what()).find("out of memory allocating activations") != std::string::npos);
    }
#endif
}

TEST_CASE("mini-batch-fit: measured at start-up, a bigger workspace gives bigger batches", "[train][memory]") {
    const std::string dir = make_task_dir("memory_fit", 600);
    std::string small_log, large_log;
    const double small = fitted_run(dir, "small", 2, &small_log);
    const double large = fitted_run(dir, "large", 8, &large_log);
    INFO(small_log);
    CHECK_THAT(small_log, Contains("mini-batch-fit: measured at 41+41 positions") &&
                              Contains("mini-batch-fit: sentences per batch by padded length (within 2.0 MiB): 8: ") &&
                              Contains("memory plan of one training step on CPU") &&
                              Contains("largest batch of 41+41 positions in the 2.0 MiB workspace"));
    CHECK(small >= 2);
    CHECK(large > 2 * small);  // the workspace is most of what decides the batch
}

TEST_CASE("mini-batch-fit: a resumed run reuses the saved table and cuts the same batches", "[train][memory]") {
    const std::string dir = make_task_dir("memory_fit_resume_" + std::to_string(::getpid()), 600);
    auto args = [&](const std::string& name, int updates) {
        std::vector<std::string> a = tiny_run_args(dir, name + ".safetensors");
        a.insert(a.end(), {"--mini-batch-fit", "--workspace", "3", "--max-length", "40", "--save-freq", "100",
                           "--after-batches", std::to_string(updates), "--log-json", dir + "/" + name + ".jsonl"});
        return a;
    };
    REQUIRE(train_with(args("straight", 6)) == 0);
    REQUIRE(train_with(args("resumed", 3)) == 0);
    log::set_file(dir + "/resumed.log");
    const int code = train_with(args("resumed", 6));
    log::set_file("");
    REQUIRE(code == 0);
    CHECK_THAT(read_all(dir + "/resumed.log"), Contains("mini-batch-fit: the table of the resumed run"));
    CHECK(json_field(dir + "/resumed.jsonl", "train", "sentences") ==
          json_field(dir + "/straight.jsonl", "train", "sentences"));
    CHECK(tensor_bytes(dir + "/resumed.safetensors") == tensor_bytes(dir + "/straight.safetensors"));  // bit for bit
}

TEST_CASE("mini-batch-fit without a workspace, or one too small for one sentence, says what to do",
          "[train][memory]") {
    const std::string dir = make_task_dir("memory_fit_errors", 100);
    std::vector<std::string> args = tiny_run_args(dir, "m.safetensors");
    args.insert(args.end(), {"--mini-batch-fit", "--workspace", "0", "--after-batches", "1"});
    CHECK_THROWS_WITH(train_with(args), Contains("-w"));
    set_arg(args, "--workspace", "1");
    set_arg(args, "--dim-emb", "256");
    set_arg(args, "--transformer-dim-ffn", "2048");
    set_arg(args, "--max-length", "400");
    CHECK_THROWS_WITH(train_with(args), Contains("not one sentence of 401 positions fits") &&
                                            Contains("raise -w"));
}

TEST_CASE("train --dump-memory of the paper's 1,000-layer model: the formula's parameters, fits an H200",
          "[train][memory]") {
    const Run r = run_binary(std::string("train -c ") + DEEPNET_SOURCE_DIR + "/configs/deepnet-1000l.yaml --dump-memory",
                             DEEPNET_BINARY);
    INFO(r.out);
    REQUIRE(r.code == 0);
    // docs/memory.md: per encoder layer 4C^2 + 4C (attention) + 2CF + F + C (FFN) + 4C (two
    // LayerNorms); per decoder layer 8C^2 + 8C + 2CF + F + C + 6C; one shared V x C table.
    const int64_t C = 512, F = 2048, V = 64000;
    const int64_t enc = 4 * C * C + 4 * C + 2 * C * F + F + C + 4 * C;
    const int64_t dec = 8 * C * C + 8 * C + 2 * C * F + F + C + 6 * C;
    const int64_t P = 500 * enc + 500 * dec + V * C;
    CHECK(enc == 3152384);
    CHECK(dec == 4204032);
    CHECK_THAT(r.out, Contains(std::to_string(P) + " x float32"));
    CHECK_THAT(r.out, Contains("memory plan of one training step on GPU 0 (bfloat16 GEMMs, float32 storage, "
                               "recompute on)"));
    CHECK_THAT(r.out, Contains("= training state") && Contains(format_bytes(16 * P)));
    std::smatch m;
    REQUIRE(std::regex_search(r.out, m, std::regex("in the 58.59 GiB workspace \\(-w\\): ([0-9]+) sentences")));
    CHECK(std::stoll(m[1]) >= 32);  // 32 x 129 positions = 4,128 tokens: the paper's per-GPU batch
    CHECK_THAT(r.out, Contains("the plan's prediction"));
}
