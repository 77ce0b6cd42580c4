// The CUDA device context: device query, stream, cuBLASLt handle, checked allocation and
// its out-of-memory message.
#include "cuda_test_support.h"
#include "src/core/error.h"
#include "src/core/out_of_memory.h"

using namespace deepnet;
using namespace deepnet::test_cuda;

TEST_CASE("cuda context finds the device and creates its handles", "[cuda][context]") {
    REQUIRE(cuda_device_count() >= 1);
    const CudaDeviceInfo info = cuda_device_info(0);
    INFO(describe(info));
    CHECK(!info.name.empty());
    CHECK(info.sm_count > 0);
    CHECK(info.total_bytes > 0);
    CHECK(info.free_bytes <= info.total_bytes);
    CudaContext ctx(0);
    CHECK(ctx.stream() != nullptr);
    CHECK(ctx.cublaslt() != nullptr);
    CHECK(ctx.lt_workspace() != nullptr);
    ctx.synchronize();
    CHECK_THROWS_AS(CudaContext(cuda_device_count()), Error);
}

TEST_CASE("cuda allocation round-trips data and reports out of memory clearly", "[cuda][context]") {
    std::vector<float> h = {1.f, -2.f, 3.5f};
    Dev<float> d(h);
    CHECK(d.download() == h);
    const size_t huge = size_t(1) << 50;  // 1 PiB
    try {
        cuda_alloc(huge, "activations");
        FAIL("a 1 PiB allocation succeeded");
    } catch (const OutOfMemory& e) {  // its own type: memory-fit batching catches it
        const std::string msg = e.what();
        INFO(msg);
        CHECK(msg.find("out of GPU memory allocating activations") != std::string::npos);
        CHECK(msg.find(std::to_string(huge) + " bytes") != std::string::npos);
        CHECK(msg.find("free of") != std::string::npos);
    }
    // The failed allocation leaves the device usable.
    Dev<float> again(h);
    CHECK(again.download() == h);
}
