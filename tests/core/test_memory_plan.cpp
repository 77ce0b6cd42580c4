// Tensor views, the memory plan and its arenas, and the arena-backed parameter buffers.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "src/core/device_buffer.h"
#include "src/core/memory_plan.h"
#include "src/core/memory_stats.h"
#include "src/core/param_store.h"

using namespace deepnet;

TEST_CASE("a view knows its element type, shape and device", "[core][tensor]") {
    float data[6] = {1, 2, 3, 4, 5, 6};
    const TensorView t = view(data, {2, 3});
    CHECK(t.numel() == 6);
    CHECK(t.as<float>() == data);
    CHECK(describe(t) == "f32[2, 3] on cpu");
    CHECK_THROWS_WITH(t.as<double>(), Catch::Contains("tensor of f32 read as f64"));
    CHECK(view(static_cast<double*>(nullptr), {4}).empty());
    CHECK(device_name(Device{DeviceKind::CUDA, 1}) == "cuda:1");
    CHECK_THROWS(view(data, {2, -3}));
    CHECK_THROWS(view(data, {1, 1, 1, 1, 1}));  // rank above kMaxRank
}

TEST_CASE("the memory plan lays out each kind in one aligned buffer", "[core][memory]") {
    MemoryPlan plan;
    const PlannedTensor w = plan.add("w", MemoryKind::Parameters, DType::F32, {3, 5});  // 60 bytes
    const PlannedTensor b = plan.add("b", MemoryKind::Parameters, DType::F32, {5});
    plan.add("m", MemoryKind::OptimizerMoments, DType::F64, {7});
    CHECK(w.offset == 0);
    CHECK(b.offset == 64);  // 60 bytes rounded up to the 64-byte line
    CHECK(plan.bytes(MemoryKind::Parameters) == 128);
    CHECK(plan.bytes(MemoryKind::OptimizerMoments) == 64);
    CHECK(plan.bytes(MemoryKind::Activations) == 0);
    CHECK_THROWS_WITH(plan.add("w", MemoryKind::Gradients, DType::F32, {1}), Catch::Contains("planned twice: w"));
    CHECK_THROWS_WITH(plan.add("huge", MemoryKind::Scratch, DType::F64, {int64_t(1) << 40, int64_t(1) << 30}),
                      Catch::Contains("too large"));
    CHECK_THROWS_WITH(plan.at("nope"), Catch::Contains("no planned tensor named nope"));

    Arena arena(plan, Device{});
    const TensorView wv = arena.view("w"), bv = arena.view("b"), mv = arena.view("m");
    CHECK(describe(wv) == "f32[3, 5] on cpu");
    CHECK(static_cast<char*>(bv.data) - static_cast<char*>(wv.data) == 64);
    CHECK(reinterpret_cast<uintptr_t>(mv.data) % 64 == 0);
    for (int64_t i = 0; i < 7; ++i) CHECK(mv.as<double>()[i] == 0.0);  // zero-filled
}

TEST_CASE("an arena on a CUDA device in a CPU build is a clear error", "[core][memory]") {
    MemoryPlan plan;
    plan.add("w", MemoryKind::Parameters, DType::F32, {4});
    CHECK_THROWS_WITH(Arena(plan, Device{DeviceKind::CUDA, 0}),
                      Catch::Contains("cuda:0") && Catch::Contains("without the CUDA backend"));
}

TEST_CASE("parameters and gradients come from one arena", "[core][memory]") {
    ParamLayout layout;
    layout.add("a.weight", {3, 3});
    layout.add("a.bias", {3});
    Params<float> p;
    p.allocate(layout);
    CHECK(p.value.size() == size_t(layout.total()));
    CHECK(p.grad.size() == size_t(layout.total()));
    p.value[0] = 2.f;
    p.grad[1] = 3.f;
    p.zero_grad();
    CHECK(p.value[0] == 2.f);
    CHECK(p.grad[1] == 0.f);
    CHECK_THROWS_WITH(p.value.assign(std::vector<float>(3)), Catch::Contains("copying 3 values into a buffer of 32"));
    Params<float> inference;
    inference.allocate(layout, /*gradients=*/false);
    CHECK(inference.grad.empty());
    CHECK(inference.value == std::vector<float>(size_t(layout.total()), 0.f));
}

TEST_CASE("a window on device memory refuses host access, copies work on the CPU", "[core][memory]") {
    float host[4] = {1, 2, 3, 4};
    const FlatView<float> gpu(host, 4, Device{DeviceKind::CUDA, 0});  // as if the pointer were a GPU's
    CHECK_THROWS_WITH(gpu.begin(), Catch::Contains("host access to a buffer on cuda:0"));
    CHECK_THROWS_WITH(gpu[0], Catch::Contains("copy it with to_vector()"));
    const FlatView<float> cpu(host, 4);
    CHECK(cpu.to_vector() == std::vector<float>{1, 2, 3, 4});
    cpu.assign({5, 6, 7, 8});
    CHECK(host[3] == 8.f);
}

TEST_CASE("a device buffer grows keeping its contents, new elements zero", "[core][memory]") {
    DeviceBuffer<float> b;
    float* p = b.ensure(Device{}, 3);
    p[0] = 1, p[1] = 2, p[2] = 3;
    p = b.ensure(Device{}, 2);  // never shrinks
    CHECK(b.size() == 3);
    p = b.ensure(Device{}, 5);
    CHECK(std::vector<float>(p, p + 5) == std::vector<float>{1, 2, 3, 0, 0});
    b.resize(Device{}, 2);
    b.resize(Device{}, 4);  // within capacity: the regrown tail is zeroed again
    CHECK(std::vector<float>(b.data(), b.data() + 4) == std::vector<float>{1, 2, 0, 0});
    b.clear();
    CHECK(b.empty());
    CHECK_THROWS_WITH(b.ensure(Device{DeviceKind::CUDA, 0}, 4), Catch::Contains("without the CUDA backend"));
}

TEST_CASE("a scratch buffer grows without holding the old and the new block at once", "[core][memory]") {
    const Device cpu{};
    const int64_t base = memory_stats(cpu).in_use;
    {
        DeviceBuffer<float> b;
        b.scratch(cpu, 100);
        CHECK(memory_stats(cpu).in_use - base == 400);
        reset_memory_peak(cpu);
        float* p = b.scratch(cpu, 1000);
        CHECK(b.size() == 1000);
        CHECK(p[999] == 0.f);  // zeroed, as every new block
        CHECK(memory_stats(cpu).in_use - base == 4000);
        CHECK(memory_stats(cpu).peak - base == 4000);  // never 4400: the 100 were freed first
        CHECK(b.scratch(cpu, 10) == p);                 // never shrinks, no new block
        reset_memory_peak(cpu);
        b.ensure(cpu, 2000);  // ensure keeps the contents: both blocks live during the copy
        CHECK(memory_stats(cpu).peak - base == 4000 + 8000);
    }
    CHECK(memory_stats(cpu).in_use == base);  // all released, sizes accounted exactly
}

