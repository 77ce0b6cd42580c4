// OpenBLAS core-type guard and thread count (see blas_setup.h).
#include "src/core/blas_setup.h"

#include <omp.h>
#include <unistd.h>

#include <cstdlib>
#include <set>

extern "C" {
char* openblas_get_corename(void);
void openblas_set_num_threads(int);
}

namespace deepnet {

CpuFeatures detect_cpu_features() {
    CpuFeatures f;
#if defined(__x86_64__)
    __builtin_cpu_init();
    // __builtin_cpu_supports also checks that the OS saves the wide registers (XGETBV).
    f.avx2_fma = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    f.avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
#endif
    return f;
}

std::string choose_openblas_coretype(const std::string& detected, const CpuFeatures& cpu,
                                     const char* env_coretype) {
    if (env_coretype && *env_coretype) return "";  // the user decided
    // Generic fallbacks OpenBLAS picks for CPUs it does not recognise.
    static const std::set<std::string> weak = {"Prescott", "Core2", "Nehalem", "Sandybridge",
                                               "Penryn",   "Dunnington", "Atom", "Katmai",
                                               "Northwood", "Banias"};
    if (!weak.count(detected)) return "";
    if (cpu.avx512) return "SkylakeX";
    if (cpu.avx2_fma && detected != "Haswell") return "Haswell";
    return "";
}

void ensure_fast_blas(char** argv) {
    // The marker stops a second attempt (e.g. if the forced core is still reported as weak).
    if (std::getenv("DEEPNET_RUNTIME_ENV")) return;
    bool changed = false;
    const std::string core = blas_core_name();
    const std::string force =
        choose_openblas_coretype(core, detect_cpu_features(), std::getenv("OPENBLAS_CORETYPE"));
    if (!force.empty()) {
        setenv("OPENBLAS_CORETYPE", force.c_str(), 1);
        changed = true;
    }
    // libgomp's default is to spin ~300,000 rounds (milliseconds) at every barrier: on cores
    // shared with other work that burns the slices the other threads need (measured: 3x
    // slower training on a loaded 2-core machine). Never spinning costs the other way: a
    // step has thousands of parallel regions and waking a sleeper each time cost 13 % of a
    // bf16 training step on an idle machine. A short spin (3,000 rounds, ~0.1 ms) keeps
    // most of the gain (-13 % idle) and bounds the loss under 2x oversubscription (+10 %);
    // docs/benchmarks.md. OMP_WAIT_POLICY=passive suits a machine shared with busy jobs.
    if (!std::getenv("OMP_WAIT_POLICY") && !std::getenv("GOMP_SPINCOUNT")) {
        setenv("GOMP_SPINCOUNT", "3000", 1);
        changed = true;
    }
    if (!changed) return;
    setenv("DEEPNET_RUNTIME_ENV", core.c_str(), 1);
    execv("/proc/self/exe", argv);
    // exec failed (no /proc?): carry on with the defaults rather than fail.
}

std::string blas_core_name() {
    const char* n = openblas_get_corename();
    return n ? n : "unknown";
}

void set_cpu_threads(int threads) {
    if (threads <= 0) return;
    omp_set_num_threads(threads);
    openblas_set_num_threads(threads);
}

}  // namespace deepnet
