// precision [bfloat16, float32]: the run really rounds its GEMM operands (its losses differ
// from a float32 run's), yet follows the float32 run closely; wrong values are clear errors.
// (Exact resume in bfloat16 is a variant of test_resume.cpp.)
#include <catch2/catch.hpp>

#include <cmath>

#include "kernels/onednn_matmul.h"
#include "train_fixture.h"

using namespace deepnet;
using namespace deepnet::test;

TEST_CASE("a bfloat16 run differs from the float32 run but follows it closely", "[train][bf16]") {
    if (!kernels::cpu::bf16_matmul_unavailable_reason().empty()) {
        REQUIRE_FALSE(__builtin_cpu_supports("avx512bw"));  // oneDNN needs AVX-512 F+BW+VL+DQ
        WARN("bfloat16 GEMM not available here: " << kernels::cpu::bf16_matmul_unavailable_reason());
        return;
    }
    const std::string dir = make_task_dir("precision");
    auto f32 = tiny_run_args(dir, "f32.safetensors");
    f32.insert(f32.end(), {"--after-batches", "20"});
    auto bf16 = tiny_run_args(dir, "bf16.safetensors");
    bf16.insert(bf16.end(), {"--after-batches", "20", "--precision", "bfloat16", "float32"});
    REQUIRE(train_with(f32) == 0);
    REQUIRE(train_with(bf16) == 0);
    const auto a = json_field(dir + "/f32.safetensors.train.jsonl", "train", "loss");
    const auto b = json_field(dir + "/bf16.safetensors.train.jsonl", "train", "loss");
    REQUIRE(a.size() == 20);
    REQUIRE(b.size() == 20);
    int differ = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        const double x = std::stod(a[i]), y = std::stod(b[i]);
        CAPTURE(i, x, y);
        CHECK(std::fabs(x - y) <= 0.02 * x);  // bf16 rounding: well under 2 % over 20 updates
        differ += a[i] != b[i];
    }
    CHECK(differ >= 15);  // the GEMMs really ran in bfloat16
    CHECK(std::stod(b.back()) < 0.8 * std::stod(b.front()));  // and it learns
}

TEST_CASE("precision values are checked", "[train][bf16]") {
    const std::string dir = make_task_dir("precision_bad");
    auto args = tiny_run_args(dir, "m.safetensors");
    args.insert(args.end(), {"--after-batches", "1", "--precision", "bfloat16", "bfloat16"});
    REQUIRE_THROWS_WITH(train_with(args), Catch::Contains("optimizer type") && Catch::Contains("float32"));
    set_arg(args, "--precision", "float8");
    REQUIRE_THROWS_WITH(train_with(args), Catch::Contains("float16"));
}
