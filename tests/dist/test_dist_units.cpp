// Data-parallel pieces that need no mpirun: the shard plan, the launcher detection (world
// size, local rank, the GPU of a rank), the single-process communicator and DataParallel at
// world size 1 (every hook a no-op), and ZeRO-1 AdamW on one rank, which must be bitwise
// AdamW<float>::step; the min over ranks against a scripted peer.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <random>
#include <vector>

#include "src/dist/comm_single.h"
#include "src/dist/communicator.h"
#include "src/dist/data_parallel.h"
#include "src/dist/sharded_adam.h"
#include "src/train/optimizer.h"
#include "src/train/training_device.h"
#include "tests/dist/fake_communicator.h"

#ifdef DEEPNET_WITH_NCCL
#include "src/dist/comm_nccl.h"
#endif

using namespace deepnet;
using namespace deepnet::dist;

TEST_CASE("shard plan: contiguous, aligned, covering the buffer once", "[dist]") {
    for (int64_t n : {0, 1, 15, 16, 17, 1000, 123457})
        for (int world : {1, 2, 3, 8}) {
            INFO("n " << n << ", world " << world);
            const ShardPlan p = shard_plan(n, world, 16);
            REQUIRE(p.offset.size() == size_t(world));
            int64_t at = 0;
            for (int r = 0; r < world; ++r) {
                CHECK(p.offset[size_t(r)] == at);
                CHECK(p.count[size_t(r)] >= 0);
                if (r < world - 1 && p.offset[size_t(r + 1)] < n) CHECK(p.count[size_t(r)] % 16 == 0);
                at += p.count[size_t(r)];
            }
            CHECK(at == n);
            if (n >= 16 * world) CHECK(p.count[0] - p.count[size_t(world - 1)] < 16 * world);  // balanced
        }
}

TEST_CASE("launcher detection: Open MPI and PMI variables, 1 without them", "[dist]") {
    const char* saved_ompi = std::getenv("OMPI_COMM_WORLD_SIZE");
    const char* saved_pmi = std::getenv("PMI_SIZE");
    const std::string ompi = saved_ompi ? saved_ompi : "", pmi = saved_pmi ? saved_pmi : "";
    unsetenv("OMPI_COMM_WORLD_SIZE");
    unsetenv("PMI_SIZE");
    CHECK(launcher_world_size() == 1);
    setenv("PMI_SIZE", "4", 1);
    CHECK(launcher_world_size() == 4);
    setenv("OMPI_COMM_WORLD_SIZE", "2", 1);
    CHECK(launcher_world_size() == 2);
    setenv("OMPI_COMM_WORLD_SIZE", "2x", 1);  // damaged: an error, not a guess
    CHECK_THROWS_WITH(launcher_world_size(), Catch::Contains("OMPI_COMM_WORLD_SIZE=2x is not a number from 1"));
    setenv("OMPI_COMM_WORLD_SIZE", "0", 1);
    CHECK_THROWS_AS(launcher_world_size(), UserError);
    setenv("OMPI_COMM_WORLD_SIZE", "1", 1);
    CHECK(launcher_world_size() == 1);
    CHECK(make_communicator()->backend() == "single");  // one rank: MPI is never initialised
    unsetenv("OMPI_COMM_WORLD_SIZE");
    unsetenv("PMI_SIZE");
    if (saved_ompi) setenv("OMPI_COMM_WORLD_SIZE", ompi.c_str(), 1);
    if (saved_pmi) setenv("PMI_SIZE", pmi.c_str(), 1);
}

TEST_CASE("local rank from the launcher, and the GPU each rank takes from --devices", "[dist]") {
    const char* vars[] = {"OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "SLURM_LOCALID"};
    std::vector<std::pair<std::string, std::string>> saved;
    for (const char* v : vars)
        if (const char* x = std::getenv(v)) saved.emplace_back(v, x);
    for (const char* v : vars)
        unsetenv(v);
    CHECK(launcher_local_rank(5) == 5);  // none announced: the fallback
    setenv("SLURM_LOCALID", "2", 1);
    CHECK(launcher_local_rank(0) == 2);
    setenv("OMPI_COMM_WORLD_LOCAL_RANK", "1", 1);  // Open MPI's first
    CHECK(launcher_local_rank(0) == 1);
    setenv("OMPI_COMM_WORLD_LOCAL_RANK", "x1", 1);  // damaged: an error, not a guess
    CHECK_THROWS_WITH(launcher_local_rank(0), Catch::Contains("OMPI_COMM_WORLD_LOCAL_RANK=x1 is not a number"));
    for (const char* v : vars)
        unsetenv(v);
    for (const auto& [k, v] : saved)
        setenv(k.c_str(), v.c_str(), 1);

    TrainConfig cfg;
    CHECK(training_device(cfg, 2, 1).kind == DeviceKind::CPU);  // no --devices: CPU ranks
    cfg.devices = {0, 1};
    CHECK_THROWS_WITH(training_device(cfg, 1, 0), Catch::Contains("mpirun -np 2 deepnet train --devices"));
    CHECK(training_device(cfg, 2, 0) == Device{DeviceKind::CUDA, 0});
    CHECK(training_device(cfg, 2, 1) == Device{DeviceKind::CUDA, 1});
    CHECK(training_device(cfg, 4, 3) == Device{DeviceKind::CUDA, 1});  // local rank modulo the list
    cfg.devices = {3};
    CHECK(training_device(cfg, 1, 0) == Device{DeviceKind::CUDA, 3});
    CHECK(training_device(cfg, 2, 1) == Device{DeviceKind::CUDA, 3});  // ranks may share a GPU (MPI only)
    cfg.devices = {0, -1};
    CHECK_THROWS_WITH(training_device(cfg, 2, 0), Catch::Contains("a GPU number is 0 or more"));
}

TEST_CASE("the buffers' backend: CPU ranks use the launcher's communicator, nccl needs a GPU", "[dist]") {
    DistConfig cfg;
    DataParallel cpu(std::make_unique<SingleCommunicator>(), cfg);
    cpu.use_device(Device{}, nullptr, true);
    CHECK(cpu.buffer_backend() == "single");
    cfg.backend = "nccl";
    DataParallel forced(std::make_unique<SingleCommunicator>(), cfg);
    CHECK_THROWS_WITH(forced.use_device(Device{}, nullptr, true), Catch::Contains("give --devices"));
    CHECK_THROWS_WITH(forced.use_device(Device{DeviceKind::CUDA, 0}, nullptr, false),
                      Catch::Contains("emulated GPU has no NCCL"));
}

TEST_CASE("one rank: the communicator is the identity and every hook a no-op", "[dist]") {
    DataParallel dp(std::make_unique<SingleCommunicator>(), DistConfig{true, 600});
    CHECK(dp.world() == 1);
    CHECK(dp.root());
    CHECK_FALSE(dp.sharded());  // sharding needs two ranks
    for (int k = 0; k < 5; ++k)
        CHECK(dp.mine(k));
    std::vector<float> grad = {1.5f, -2.f, 3.f};
    UpdateSums sums{10.5, 9.5, 7, 2};
    dp.reduce(grad, sums);
    CHECK(grad == std::vector<float>{1.5f, -2.f, 3.f});
    CHECK(sums.tokens == 7);
    CHECK(sums.loss == 10.5);
    CHECK(dp.max_over_ranks(15) == 15);
    int64_t stalled = 3;
    dp.share_from_root(stalled);
    CHECK(stalled == 3);
    int ran = 0;
    dp.root_first([&] { ++ran; });
    CHECK(ran == 1);
    CHECK(dp.run_guarded([] { return 7; }) == 7);
    CHECK_THROWS_WITH(dp.run_guarded([]() -> int { throw UserError("bad"); }), "bad");  // one rank: propagates
    CHECK(dp.summary().empty());
}

namespace {

// Rank 0 of two, whose peer holds `peer`: all_reduce_max takes the larger of each pair.
class ScriptedPeer final : public deepnet::test::FakeCommunicator {
public:
    explicit ScriptedPeer(std::vector<double> peer) : peer_(std::move(peer)) {}
    std::string backend() const override { return "scripted"; }
    void all_reduce_max(double* d, int64_t n) override {
        REQUIRE(size_t(n) == peer_.size());
        for (int64_t i = 0; i < n; ++i) d[i] = std::max(d[i], peer_[size_t(i)]);
    }

private:
    std::vector<double> peer_;
};

}  // namespace

// The --mini-batch-fit table of GPU ranks: each length takes the smallest count of any rank.
TEST_CASE("min over ranks: each entry the smallest of the ranks' values", "[dist]") {
    // The peer sends its values negated (the min is a max of negatives); 2^40 stays exact.
    const int64_t big = int64_t(1) << 40;
    DataParallel dp(std::make_unique<ScriptedPeer>(std::vector<double>{-3, -700, -double(big), -0.0}), DistConfig{});
    std::vector<int64_t> table = {5, 512, big + 1, 0};
    dp.min_over_ranks(table);
    CHECK(table == std::vector<int64_t>{3, 512, big, 0});

    DataParallel one(std::make_unique<SingleCommunicator>(), DistConfig{});
    std::vector<int64_t> same = {9, 4};
    one.min_over_ranks(same);
    CHECK(same == std::vector<int64_t>{9, 4});
}

TEST_CASE("ZeRO-1 AdamW on one rank is bitwise AdamW", "[dist]") {
    std::mt19937 gen(3);
    std::normal_distribution<float> normal(0.f, 1.f);
    const int64_t n = 70001;  // several sum_squares blocks, not a multiple of 16
    Params<float> ref;
    ref.allocate_elements(n);
    for (int64_t i = 0; i < n; ++i)
        ref.value[size_t(i)] = normal(gen);
    std::vector<float> params = ref.value.to_vector();
    for (double clip : {0.0, 0.5}) {
        AdamW<float> opt(AdamConfig{0.9, 0.98, 1e-9, 0.01, clip});
        SingleCommunicator comm;
        ShardedAdam sharded(comm, n, AdamConfig{0.9, 0.98, 1e-9, 0.01, clip});
        int64_t steps = 0;
        for (int step = 0; step < 3; ++step) {
            for (auto& g : ref.grad)
                g = normal(gen);
            const UpdateInfo a = opt.step(ref, 1e-3, 0.25);
            const UpdateInfo b = sharded.step(params.data(), ref.grad.data(), 1e-3, 0.25, steps);
            CHECK(a.grad_norm == b.grad_norm);
            CHECK(b.finite);
            CHECK(steps == opt.steps());
            REQUIRE(params == ref.value);
        }
        std::vector<float> m, v;
        sharded.gather(m, v);
        CHECK(m == opt.m());
        CHECK(v == opt.v());
        // Resume: load() keeps the (whole) shard and frees the full vectors.
        ShardedAdam again(comm, n, AdamConfig{0.9, 0.98, 1e-9, 0.01, clip});
        again.load(m, v);
        CHECK(m.empty());
        std::vector<float> m2, v2;
        again.gather(m2, v2);
        CHECK(m2 == opt.m());
        CHECK(v2 == opt.v());
    }
    // A NaN gradient: no update, reported as not finite.
    SingleCommunicator comm;
    ShardedAdam sharded(comm, n, AdamConfig{});
    std::vector<float> grad(size_t(n), 0.f);
    grad[5] = NAN;
    int64_t steps = 0;
    const std::vector<float> before = params;
    CHECK_FALSE(sharded.step(params.data(), grad.data(), 1e-3, 1.0, steps).finite);
    CHECK(steps == 0);
    CHECK(params == before);
}

#ifdef DEEPNET_WITH_NCCL
// Multi-GPU runs need a multi-GPU machine; this checks the NCCL build loads and behaves:
// without NCCL the error that says what to install, without a GPU a clear CUDA error, with
// one a 1-rank communicator bootstrapped by broadcast.
TEST_CASE("NCCL communicator: a clear error without NCCL or a GPU, one rank with one", "[dist]") {
    SingleCommunicator boot;
    try {
        auto nccl = make_nccl_communicator(boot, 0);
        CHECK(nccl->backend() == "nccl");
        CHECK(nccl->size() == 1);
        nccl->barrier(false);
    } catch (const UserError& e) {
        CHECK_THAT(e.what(), Catch::Contains("libnccl.so.2 cannot be loaded") && Catch::Contains("LD_LIBRARY_PATH"));
    } catch (const Error& e) {
        CHECK_THAT(e.what(), Catch::Contains("CUDA error"));
    }
}
#endif
