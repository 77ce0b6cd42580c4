// The OpenBLAS core-type choice: never forces a kernel the CPU lacks, respects the user.
#include <catch2/catch.hpp>

#include "src/core/blas_setup.h"

using namespace deepnet;

TEST_CASE("openblas core type is forced only for weak fallbacks on capable CPUs", "[core][blas]") {
    const CpuFeatures avx512{true, true}, avx2{true, false}, sse{false, false};
    REQUIRE(choose_openblas_coretype("Prescott", avx512, nullptr) == "SkylakeX");
    REQUIRE(choose_openblas_coretype("Prescott", avx2, nullptr) == "Haswell");
    REQUIRE(choose_openblas_coretype("Prescott", sse, nullptr) == "");         // nothing better is safe
    REQUIRE(choose_openblas_coretype("SkylakeX", avx512, nullptr) == "");      // already right
    REQUIRE(choose_openblas_coretype("Zen", avx2, nullptr) == "");             // a real detection
    REQUIRE(choose_openblas_coretype("Sandybridge", avx2, nullptr) == "Haswell");
    REQUIRE(choose_openblas_coretype("Prescott", avx512, "Haswell") == "");    // the user decided
    REQUIRE(choose_openblas_coretype("Prescott", avx512, "") == "SkylakeX");   // empty = unset
}

TEST_CASE("the running BLAS uses a vector kernel this CPU supports", "[core][blas]") {
    const CpuFeatures f = detect_cpu_features();
    const std::string core = blas_core_name();
    INFO("OpenBLAS core " << core);
    if (f.avx2_fma) REQUIRE(core != "Prescott");  // the guard ran (tests/support/main.cpp)
}
