// CPU BLAS set-up. Debian's OpenBLAS 0.3.21 detects its kernel at load time and falls back
// to the slow "Prescott" SSE3 kernels on CPUs newer than it knows (OpenBLAS #4267): about
// 5x slower on this project's Sapphire-Rapids-class machines. It reads OPENBLAS_CORETYPE
// only when the library loads, so the fix must happen before main() touches BLAS: when the
// detected core is a weak fallback and the CPU (as the OS reports it) supports a better
// one, the process re-executes itself once with OPENBLAS_CORETYPE set. A core type is only
// ever chosen from features the CPU has, so it is safe on any x86-64 CPU.
#pragma once

#include <string>

namespace deepnet {

struct CpuFeatures {
    bool avx2_fma = false;   // Haswell kernels
    bool avx512 = false;     // avx512f + bw + dq + vl: SkylakeX kernels
};

CpuFeatures detect_cpu_features();

// The core type to force, or "" to keep OpenBLAS's own choice. Pure, for tests.
std::string choose_openblas_coretype(const std::string& detected_core, const CpuFeatures& cpu,
                                     const char* env_coretype);

// Call first thing in main(): sets OPENBLAS_CORETYPE (above) and, unless the user set
// OMP_WAIT_POLICY or GOMP_SPINCOUNT, GOMP_SPINCOUNT=3000 (a short spin), then re-executes the program once (never returns then):
// both libraries read these variables only when they load.
void ensure_fast_blas(char** argv);

// Name of the BLAS kernel in use ("SkylakeX", ...).
std::string blas_core_name();

// Sets the OpenMP/BLAS thread count (0 = leave the default: all cores).
void set_cpu_threads(int threads);

}  // namespace deepnet
