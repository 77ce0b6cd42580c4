// Block-wide GEMM on tiles in shared memory (nvcc only), the one matrix product of the
// attention kernels:
//   C (M x N, fp32, row stride ldc)  =  or  +=  opA (M x K) * opB (K x N)
//   opA[m][k] = A[m * lda + k]        (kATrans = false: A stored M x K)
//             = A[k * lda + m]        (kATrans = true:  A stored K x M, e.g. P^T from P)
//   opB[k][n] = B[n * ldb + k]        (kBRows = true:  B stored N x K, e.g. K^T from K)
//             = B[k * ldb + n]        (kBRows = false: B stored K x N)
// Every thread of the block calls it with the same arguments; it does not synchronise (the
// caller puts __syncthreads() around it, as the tiles are written and read by others).
//
// E = float: plain FMA, one output element per thread at a time, k in order.
// E = bf16: tensor cores (kernels/mma.cuh). Warp w takes the 16x8 output tiles w, w+W, ...
// (W warps), keeps the tile's accumulators in registers over K and stores them once. A comes
// through ldmatrix.x4 (.trans when kATrans), B through ldmatrix.x2 (.trans when B is stored
// K x N). Needs M % 16 == 0, N % 8 == 0, K % 16 == 0, lda and ldb multiples of 8 and 16-byte
// aligned tiles (each 8-element row segment that ldmatrix reads is 16 aligned bytes).
#pragma once

#include <type_traits>

#include "kernels/cuda_utils.cuh"
#include "kernels/mma.cuh"

namespace deepnet::kernels::cuda::detail {

template <bool kAccumulate, bool kATrans, bool kBRows, typename E>
__device__ __forceinline__ void tile_gemm(float* C, int ldc, const E* A, int lda, const E* B, int ldb, int M,
                                          int N, int K) {
    if constexpr (std::is_same_v<E, float>) {
        const int threads = int(blockDim.x);
        for (int idx = int(threadIdx.x); idx < M * N; idx += threads) {
            const int m = idx / N, n = idx % N;
            float acc = kAccumulate ? C[m * ldc + n] : 0.f;
            for (int k = 0; k < K; ++k) {
                const float a = kATrans ? A[k * lda + m] : A[m * lda + k];
                const float b = kBRows ? B[n * ldb + k] : B[k * ldb + n];
                acc += a * b;
            }
            C[m * ldc + n] = acc;
        }
    } else {
        static_assert(sizeof(E) == 2, "tile_gemm: E is float or bf16");
        const int lane = int(threadIdx.x) & 31, warp = int(threadIdx.x) >> 5, warps = int(blockDim.x) >> 5;
        const int g = lane >> 2, t = lane & 3;
        const int r8 = lane & 7, mat = lane >> 3;  // the row this lane addresses, of matrix `mat`
        const int ntiles = N / 8, tiles = (M / 16) * ntiles;
        for (int tile = warp; tile < tiles; tile += warps) {
            const int m0 = (tile / ntiles) * 16, n0 = (tile % ntiles) * 8;
            float c[4];
#pragma unroll
            for (int e = 0; e < 4; ++e)
                c[e] = kAccumulate ? C[(m0 + g + 8 * (e >> 1)) * ldc + n0 + 2 * t + (e & 1)] : 0.f;
            for (int k0 = 0; k0 < K; k0 += 16) {
                uint32_t a[4], b[2];
                // A fragment: matrix `mat` covers rows m0 + 8 (mat & 1) and columns k0 + 8 (mat >> 1).
                if constexpr (kATrans)
                    mma::ldmatrix_x4_trans(a, A + (k0 + 8 * (mat >> 1) + r8) * lda + m0 + 8 * (mat & 1));
                else
                    mma::ldmatrix_x4(a, A + (m0 + 8 * (mat & 1) + r8) * lda + k0 + 8 * (mat >> 1));
                // B fragment: matrix (mat & 1) covers k0 + 8 (mat & 1); lanes 16..31 repeat 0..15.
                if constexpr (kBRows)
                    mma::ldmatrix_x2(b, B + (n0 + r8) * ldb + k0 + 8 * (mat & 1));
                else
                    mma::ldmatrix_x2_trans(b, B + (k0 + 8 * (mat & 1) + r8) * ldb + n0);
                mma::mma_m16n8k16_bf16_f32(c, a, b, c);
            }
#pragma unroll
            for (int e = 0; e < 4; ++e) C[(m0 + g + 8 * (e >> 1)) * ldc + n0 + 2 * t + (e & 1)] = c[e];
        }
    }
}

}  // namespace deepnet::kernels::cuda::detail
