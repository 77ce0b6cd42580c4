// Catch2 runner of the CUDA tests. Without a usable CUDA device it prints
// "no CUDA device: skipped" and exits with 77, which CTest reads as SKIP_RETURN_CODE: a
// machine without a GPU reports these tests as skipped, never as passed. Listing the tests
// (--list-test-names-only, used by catch_discover_tests) needs no device.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <cuda_runtime_api.h>

#include <cstdio>

#include "cuda_test_support.h"

int main(int argc, char** argv) {
    Catch::Session session;
    if (const int rc = session.applyCommandLine(argc, argv)) return rc;
    const auto& cfg = session.configData();
    const bool listing =
        cfg.listTests || cfg.listTestNamesOnly || cfg.listTags || cfg.listReporters || cfg.showHelp;
    if (!listing) {
        int count = 0;
        const cudaError_t e = cudaGetDeviceCount(&count);
        if (e != cudaSuccess || count == 0) {
            std::printf("no CUDA device: skipped (%s)\n",
                        e != cudaSuccess ? cudaGetErrorString(e) : "0 devices");
            return deepnet::test_cuda::kSkipReturnCode;
        }
        std::printf("CUDA tests, seed %llu (set DEEPNET_TEST_SEED to repeat)\n",
                    static_cast<unsigned long long>(deepnet::test_cuda::base_seed()));
    }
    return session.run();
}
