// Catch2 runner: the same BLAS set-up as the deepnet binary, so tests run the kernels the
// product runs.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "src/core/blas_setup.h"

int main(int argc, char** argv) {
    deepnet::ensure_fast_blas(argv);
    return Catch::Session().run(argc, argv);
}
