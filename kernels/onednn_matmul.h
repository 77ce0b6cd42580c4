// GEMMs of the float32 models on oneDNN's matmul (JIT brgemm kernels), in two precisions:
// - float32: float32 products and sums, in an order oneDNN picks (7-15 % faster than OpenBLAS's sgemm on the
//   layer shapes, 2-4 % slower on vocabulary-sized ones; it also adds the bias itself;
//   docs/benchmarks.md);
// - bfloat16, for mixed-precision training (precision: [bfloat16, float32]): the float32
//   operands are rounded to bfloat16 (nearest, ties to even), products are exact and summed
//   in float32, the result stays float32. With AMX (Sapphire Rapids and later) oneDNN runs
//   it on the tile units, 2-4x the float32 GEMM including the rounding; on AVX-512 CPUs
//   without AMX it still runs, without the gain.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/kernel_types.h"

namespace deepnet::kernels::cpu {

// How the GEMMs of a parameter set compute (float32 models only; double is always exact).
// Float16 (precision: [float16, float32]) rounds the operands to binary16 values and runs
// the float32 GEMM on them: their products are exact in float32 (11 x 11 significant bits),
// so this is what an fp16 GEMM with fp32 accumulation computes (cuBLASLt's on the GPU), up
// to summation order. It is the reference, not a fast path: no CPU here has fp16 GEMMs.
enum class MatmulPrecision { Float32, BFloat16, Float16 };

// The scalar converters (kernels/kernel_types.h), here too for the GEMM code and its tests.
using kernels::from_bf16;
using kernels::to_bf16;

// Round-to-nearest-even float32 -> bfloat16 bits; NaN stays NaN, overflow gives +-inf.
void round_to_bf16(uint16_t* y, const float* x, int64_t n);

// Empty when bfloat16 GEMMs run on this CPU, else the reason (for a clear error message).
std::string bf16_matmul_unavailable_reason();
// True when the bfloat16 GEMM uses AMX tiles (for the log and the benchmarks).
bool bf16_matmul_uses_amx();

// Row-major C = op(A) · op(B) + beta * C (+ bias per column) with A and B rounded to
// bfloat16; beta is 0 or 1 (a bias needs beta 0). op(A): (M, K), op(B): (K, N), C: (M, N);
// lda/ldb/ldc are row strides as in cpu::gemm.
void gemm_bf16(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, const float* A,
               int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc,
               const float* bias = nullptr);

// Row-major float32 C = op(A) · op(B) + beta * C (+ bias), same conventions.
void gemm_f32(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, const float* A,
              int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc,
              const float* bias = nullptr);

// The bfloat16 GEMM on operands already rounded (one rounding of an operand used by two GEMMs).
void gemm_bf16_rounded(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K,
                       const uint16_t* A, int64_t lda, const uint16_t* B, int64_t ldb, float beta,
                       float* C, int64_t ldc, const float* bias = nullptr);

// A rounded copy of a rows x cols float matrix (row stride ld), contiguous (row stride cols).
struct Bf16Buffer {
    std::vector<uint16_t> data;
};
void pack_bf16(Bf16Buffer& out, const float* x, int64_t rows, int64_t cols, int64_t ld);
// The same for a contiguous matrix, adding its column sums to sums (one pass over x: the
// bias gradient of a linear layer while its output gradient is rounded). The sums do not
// depend on the thread count.
void pack_bf16_add_column_sums(Bf16Buffer& out, const float* x, int64_t rows, int64_t cols,
                               float* sums);

}  // namespace deepnet::kernels::cpu
