// CPU GEMM benchmark: achieved GFLOP/s of the BLAS on the benchmark model's GEMM shapes
// (forward y = x W^T, backward dx = dy W and dW = dy^T x), float32, and the time-weighted
// ceiling a training step can reach. Usage: bench_gemm [threads]
#include <cstdlib>
#include <vector>

#include "bench_common.h"
#include "kernels/linear.h"
#include "src/core/blas_setup.h"

using namespace deepnet;

struct Shape {
    const char* what;
    bool ta, tb;
    int64_t M, N, K;
};

int main(int argc, char** argv) {
    ensure_fast_blas(argv);
    if (argc > 1) set_cpu_threads(std::atoi(argv[1]));
    const int64_t R = bench::kBenchSentences * bench::kBenchLength;  // 2048 rows
    const int64_t C = 256, F = 1024, V = 8000;
    const Shape shapes[] = {
        {"proj fwd  x W^T (R,C)x(C,C)", false, true, R, C, C},
        {"fc1 fwd   x W^T (R,C)x(C,F)", false, true, R, F, C},
        {"fc2 fwd   x W^T (R,F)x(F,C)", false, true, R, C, F},
        {"logits    x E^T (R,C)x(C,V)", false, true, R, V, C},
        {"fc1 dx    dy W  (R,F)x(F,C)", false, false, R, C, F},
        {"fc1 dW  dy^T x  (F,R)x(R,C)", true, false, F, C, R},
        {"logits dx dy E  (R,V)x(V,C)", false, false, R, C, V},
        {"logits dE dy^T x (V,R)x(R,C)", true, false, V, C, R},
    };
    std::printf("BLAS core: %s, threads: %s\n", blas_core_name().c_str(), argc > 1 ? argv[1] : "all");
    std::printf("%-32s %8s %8s %8s %10s\n", "shape", "M", "N", "K", "GFLOP/s");
    double total_flops = 0, total_time = 0;
    for (const Shape& s : shapes) {
        std::vector<float> A(size_t(s.M * s.K), 0.5f), B(size_t(s.K * s.N), 0.25f), Cm(size_t(s.M * s.N));
        const int64_t lda = s.ta ? s.M : s.K, ldb = s.tb ? s.K : s.N;
        const double t = bench::time_per_call([&] {
            kernels::cpu::gemm<float>(s.ta, s.tb, s.M, s.N, s.K, 1.0f, A.data(), lda, B.data(), ldb,
                                      0.0f, Cm.data(), s.N);
        }, 0.5);
        const double flops = 2.0 * double(s.M) * double(s.N) * double(s.K);
        total_flops += flops;
        total_time += t;
        std::printf("%-32s %8ld %8ld %8ld %10.1f\n", s.what, long(s.M), long(s.N), long(s.K), flops / t / 1e9);
    }
    std::printf("GEMM ceiling (time-weighted over the shapes): %.1f GFLOP/s\n", total_flops / total_time / 1e9);
    return 0;
}
