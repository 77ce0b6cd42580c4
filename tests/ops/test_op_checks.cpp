// src/ops checks every tensor before a kernel runs: shapes, element types and devices, the
// indices that address memory, and the CUDA branch of a CPU-only op is one clear error.
#include <catch2/catch.hpp>

#include <vector>

#include "src/ops/adamw.h"
#include "src/ops/attention.h"
#include "src/ops/elementwise.h"
#include "src/ops/embedding.h"
#include "src/ops/linear.h"

using namespace deepnet;

TEST_CASE("the linear op names the tensor whose shape, type or device is wrong", "[ops]") {
    const Context ctx;
    std::vector<float> x(6, 1.f), w(6, 0.5f), b(3, 0.f), y(9);
    ops::linear_forward(ctx, view(y.data(), {3, 3}), view(x.data(), {3, 2}), view(w.data(), {3, 2}),
                        view(b.data(), {3}));
    CHECK(y[0] == 1.f);  // 1 * 0.5 + 1 * 0.5
    CHECK_THROWS_WITH(ops::linear_forward(ctx, view(y.data(), {3, 2}), view(x.data(), {3, 2}),
                                          view(w.data(), {3, 2}), TensorView()),
                      Catch::Contains("linear_forward: y is f32[3, 2] on cpu, expected shape [3, 3]"));
    std::vector<double> wd(6);
    CHECK_THROWS_WITH(ops::linear_forward(ctx, view(y.data(), {3, 3}), view(x.data(), {3, 2}),
                                          view(wd.data(), {3, 2}), TensorView()),
                      Catch::Contains("w is f64[3, 2] on cpu, expected f32"));
    CHECK_THROWS_WITH(ops::linear_forward(ctx, view(y.data(), {3, 3}), view(x.data(), {3, 2}),
                                          view(w.data(), {3, 2}, Device{DeviceKind::CUDA, 0}), TensorView()),
                      Catch::Contains("w is f32[3, 2] on cuda:0 but the op runs on cpu"));
}

TEST_CASE("an op on a CUDA context in a CPU-only build says so", "[ops]") {
    Context gpu;
    gpu.device = Device{DeviceKind::CUDA, 0};
    std::vector<float> x(4);
    const Device d = gpu.device;
    CHECK_THROWS_AS(ops::copy(gpu, view(x.data(), {4}, d), view(x.data(), {4}, d)), UserError);
    CHECK_THROWS_WITH(ops::copy(gpu, view(x.data(), {4}, d), view(x.data(), {4}, d)),
                      Catch::Contains("copy: this binary was built without the CUDA backend"));
}

TEST_CASE("indices that address memory are checked before the kernel reads", "[ops]") {
    const Context ctx;
    std::vector<float> table(4 * 2, 1.f), pos(3 * 2, 0.f), y(2 * 2);
    std::vector<int64_t> tokens = {1, 4}, positions = {0, 2};
    CHECK_THROWS_WITH(ops::embedding_forward(ctx, view(y.data(), {2, 2}), view(tokens.data(), {2}),
                                             view(positions.data(), {2}), view(table.data(), {4, 2}),
                                             view(pos.data(), {3, 2}), 1.0),
                      Catch::Contains("embedding_forward: token 4 not in [0, 4)"));
    std::vector<float> cache(3 * 4), q(2 * 4), out(2 * 4);
    std::vector<int64_t> block = {0, 1}, len = {3, 3};  // block 1 of stride 4: rows 4..11 of 12 floats
    CHECK_THROWS_WITH(ops::cached_attention_forward(ctx, view(out.data(), {2, 4}), view(q.data(), {2, 4}),
                                                    view(cache.data(), {12}), view(cache.data(), {12}),
                                                    view(block.data(), {2}), view(len.data(), {2}), 2,
                                                    ops::CacheLayout{4, 4}),
                      Catch::Contains("query 1 reads past the 12-element cache"));
    std::vector<float> src(2 * 3 * 1), dst(2 * 1 * 1);
    std::vector<int64_t> rows = {3};
    CHECK_THROWS_WITH(ops::gather_rows(ctx, view(dst.data(), {2, 1, 1}), view(src.data(), {2, 3, 1}),
                                       view(rows.data(), {1})),
                      Catch::Contains("gather_rows: row 3 not in [0, 3)"));
}

TEST_CASE("an empty tensor with a null pointer is empty, not missing", "[ops]") {
    // A rank's optimizer shard can hold no element: its std::vector's data() may be null.
    const Context ctx;
    std::vector<float> none;
    CHECK(ops::sum_squares(ctx, view(none.data(), {0})) == 0.0);
    int64_t steps = 0;
    const auto flat = view(none.data(), {0});
    const ops::UpdateInfo info = ops::adamw_step(ctx, flat, flat, flat, flat, ops::AdamConfig{}, 1e-3, 1.0, steps);
    CHECK(info.finite);
    CHECK(steps == 1);
    std::vector<float> y(3);
    CHECK_THROWS_WITH(ops::copy(ctx, view(y.data(), {3}), view(static_cast<float*>(nullptr), {3})),
                      Catch::Contains("copy: tensor x is missing"));
}
