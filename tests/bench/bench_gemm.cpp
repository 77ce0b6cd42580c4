// CPU GEMM benchmark: achieved GFLOP/s on the benchmark model's GEMM shapes (forward
// y = x W^T, backward dx = dy W and dW = dy^T x) of OpenBLAS's sgemm, oneDNN's float32
// matmul (what the float models use) and oneDNN's bfloat16 matmul including the rounding of
// both operands (precision [bfloat16, float32]), and the time-weighted ceiling of each.
// The last line is OpenBLAS's ceiling (scripts/bench-blas.sh reads it).
// Usage: bench_gemm [threads]
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
    const bool bf16 = kernels::cpu::bf16_matmul_unavailable_reason().empty();
    std::printf("BLAS core: %s, threads: %s, bfloat16: %s\n", blas_core_name().c_str(),
                argc > 1 ? argv[1] : "all",
                !bf16 ? "unavailable" : kernels::cpu::bf16_matmul_uses_amx() ? "AMX" : "no AMX");
    std::printf("%-32s %6s %6s %6s %10s %10s %10s\n", "shape", "M", "N", "K", "OpenBLAS", "oneDNN f32",
                "oneDNN bf16");
    double total_flops = 0, time_blas = 0, time_f32 = 0, time_bf16 = 0;
    for (const Shape& s : shapes) {
        std::vector<float> A(size_t(s.M * s.K), 0.5f), B(size_t(s.K * s.N), 0.25f), Cm(size_t(s.M * s.N));
        const int64_t lda = s.ta ? s.M : s.K, ldb = s.tb ? s.K : s.N;
        const double t_blas = bench::time_per_call([&] {
            kernels::cpu::gemm<float>(s.ta, s.tb, s.M, s.N, s.K, 1.0f, A.data(), lda, B.data(), ldb,
                                      0.0f, Cm.data(), s.N);
        }, 0.5);
        const double t_f32 = bench::time_per_call([&] {
            kernels::cpu::gemm_f32(s.ta, s.tb, s.M, s.N, s.K, A.data(), lda, B.data(), ldb, 0.0f,
                                   Cm.data(), s.N);
        }, 0.5);
        const double t_bf16 = !bf16 ? 0 : bench::time_per_call([&] {
            kernels::cpu::gemm_bf16(s.ta, s.tb, s.M, s.N, s.K, A.data(), lda, B.data(), ldb, 0.0f,
                                    Cm.data(), s.N);
        }, 0.5);
        const double flops = 2.0 * double(s.M) * double(s.N) * double(s.K);
        total_flops += flops;
        time_blas += t_blas, time_f32 += t_f32, time_bf16 += t_bf16;
        std::printf("%-32s %6ld %6ld %6ld %10.1f %10.1f %10.1f\n", s.what, long(s.M), long(s.N),
                    long(s.K), flops / t_blas / 1e9, flops / t_f32 / 1e9, bf16 ? flops / t_bf16 / 1e9 : 0.0);
    }
    if (bf16)
        std::printf("oneDNN bfloat16 ceiling (time-weighted, operands rounded): %.1f GFLOP/s\n",
                    total_flops / time_bf16 / 1e9);
    std::printf("oneDNN float32 ceiling (time-weighted): %.1f GFLOP/s\n", total_flops / time_f32 / 1e9);
    std::printf("GEMM ceiling (time-weighted over the shapes): %.1f GFLOP/s\n", total_flops / time_blas / 1e9);
    return 0;
}
