// Data parallelism on GPU ranks, on the emulated GPU:
//  - with MPI (no NCCL: the emulated GPU has none) the gradient buckets go through a host
//    mirror: the communicator never sees a device pointer, and the sum comes back to the
//    device (a fake 2-rank communicator, in process);
//  - `mpirun -np 2 deepnet_emulated train --devices 0` equals one emulated-GPU process with
//    optimizer-delay 2: the same losses, the same weights up to the float32 order of the sum
//    (the CPU ranks' test, tests/dist/test_dist_mpirun.cpp, on the GPU code path).
// The NCCL path itself needs a GPU: scripts/gpu-check.sh runs a 1-rank NCCL job there.
#include <catch2/catch.hpp>

#include <numeric>

#include "src/core/device_memory.h"
#include "src/dist/data_parallel.h"
#include "src/ops/device_runtime.h"
#include "tests/dist/dist_fixture.h"
#include "tests/dist/fake_communicator.h"

using namespace deepnet;
using namespace deepnet::dist;
using namespace deepnet::test;

namespace {

// Two ranks holding the same numbers: every sum doubles. Records whether any collective was
// handed a pointer into the device buffer [device_begin, device_end).
class TwinRanks final : public FakeCommunicator {
public:
    const char* device_begin = nullptr;
    const char* device_end = nullptr;
    int device_pointers = 0, host_reductions = 0, broadcasts = 0;

    std::string backend() const override { return "twin"; }
    void all_reduce_sum(float* d, int64_t n) override {
        note(d);
        ++host_reductions;
        for (int64_t i = 0; i < n; ++i)
            d[i] *= 2;
    }
    void all_reduce_sum(double* d, int64_t n) override {
        for (int64_t i = 0; i < n; ++i)
            d[i] *= 2;
    }
    void all_reduce_max(double*, int64_t) override {}
    void broadcast(void* d, int64_t, int, bool) override {
        note(d);
        ++broadcasts;
    }

private:
    void note(const void* p) {
        const char* c = static_cast<const char*>(p);
        if (c >= device_begin && c < device_end) ++device_pointers;
    }
};

}  // namespace

TEST_CASE("GPU ranks over MPI: gradient buckets reduced through host memory, summed back on the device",
          "[cuda][dist]") {
    ops::DeviceRuntime runtime(Device{DeviceKind::CUDA, 0});
    REQUIRE(runtime.emulated());
    const Device gpu = runtime.context().device;
    const int64_t n = 1000;
    std::vector<float> host(n);
    std::iota(host.begin(), host.end(), -300.f);
    float* grad_data = static_cast<float*>(device_allocate(gpu, n * int64_t(sizeof(float)), "test gradient"));
    float* param_data = static_cast<float*>(device_allocate(gpu, n * int64_t(sizeof(float)), "test weights"));
    FlatView<float> grad(grad_data, n, gpu), params(param_data, n, gpu);
    grad.assign(host);
    params.assign(host);

    auto twin = std::make_unique<TwinRanks>();
    TwinRanks& comm = *twin;
    DistConfig cfg;
    cfg.backend = "mpi";
    DataParallel dp(std::move(twin), cfg);
    dp.use_device(gpu, runtime.context().stream, !runtime.emulated());
    CHECK(dp.buffer_backend() == "twin, through host memory");

    // Rank 0's weights to all (start): through the host.
    comm.device_begin = reinterpret_cast<const char*>(param_data);
    comm.device_end = reinterpret_cast<const char*>(param_data + n);
    dp.start(params, {0, 0, 0, 0});
    CHECK(comm.broadcasts == 2);  // the progress, then the weights
    CHECK(comm.device_pointers == 0);
    CHECK(params.to_vector() == host);

    // Two buckets started by the backward's hook (as the layers finish, top first), the
    // gaps by reduce: the whole buffer summed once, through the host.
    comm.device_begin = reinterpret_cast<const char*>(grad_data);
    comm.device_end = reinterpret_cast<const char*>(grad_data + n);
    auto hook = dp.overlap_hook(grad);
    REQUIRE(hook);
    hook(600, 900);
    hook(100, 400);
    UpdateSums sums{1.5, 1.0, 10, 3};
    dp.reduce(grad, sums);
    CHECK(sums.tokens == 20);
    CHECK(sums.loss == 3.0);
    CHECK(comm.host_reductions == 5);  // [600,900) [100,400), then [0,100) [400,600) [900,1000)
    CHECK(comm.device_pointers == 0);
    const std::vector<float> summed = grad.to_vector();
    for (int64_t i = 0; i < n; ++i)
        REQUIRE(summed[size_t(i)] == 2 * host[size_t(i)]);
    dp.check_same(params);  // fingerprints a host copy (a device read would throw)
    device_release(gpu, grad_data, n * int64_t(sizeof(float)));
    device_release(gpu, param_data, n * int64_t(sizeof(float)));
}

TEST_CASE("mpirun -np 2 on the emulated GPU equals one GPU process with optimizer-delay 2", "[cuda][dist][mpi]") {
    if (mpirun_path().empty()) {
        WARN("skipped: no MPI build or no mpirun");
        return;
    }
    const std::string dir = make_task_dir("gpu_dist_equal", 60);
    const int updates = 4;
    auto args = [&](const std::string& model) {
        std::vector<std::string> a = tiny_run_args(dir, model);
        set_arg(a, "--dim-emb", "64");  // 2 heads of 32: the attention kernels' smallest head dimension
        set_arg(a, "--transformer-dim-ffn", "96");
        set_arg(a, "--mini-batch-words", "120");
        a.insert(a.end(), {"--after-batches", std::to_string(updates), "--save-freq", "1000", "--valid-freq", "1000",
                           "--transformer-dropout", "0.1", "--devices", "0"});
        return a;
    };
    auto single = args("single.safetensors");
    single.insert(single.end(), {"--optimizer-delay", "2"});
    REQUIRE(train_with(single) == 0);
    REQUIRE(run_mpirun(2, args("two.safetensors"), dir + "/two.log") == 0);

    // The float32 order of the gradient sum only (the key biases: see test_train_on_device.cpp).
    check_ranks_equal_one_process(dir + "/single.safetensors", dir + "/two.safetensors", updates, 2e-3);
    const std::string log = file_bytes(dir + "/two.log");
    CHECK(log.find("gradients reduced by mpi, through host memory") != std::string::npos);
    CHECK(log.find("data parallel: 2 ranks (mpi, through host memory)") != std::string::npos);
}
