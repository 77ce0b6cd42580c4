// A test entry for the block GEMM of kernels/tile_gemm.cuh (bf16 through ldmatrix + mma,
// float through FMA): one block computes C = opA * opB (or C += opA * opB) on dense inputs,
// staged through shared memory as the attention kernels stage theirs. The CUDA tests compare
// it with a host product, which checks the tensor-core fragment layouts of kernels/mma.cuh.
// No CPU twin: the reference is a plain loop in the test.
#pragma once

#include "kernels/kernel_types.h"

namespace deepnet::kernels::cuda {

// a: (K x M) when a_trans else (M x K); b: (N x K) when b_rows else (K x N); c: (M x N) fp32,
// all dense row-major on the device. bf16 needs M % 16 == 0, N % 8 == 0, K % 16 == 0; at
// most 64 x 64 x 64 (one block). Throws std::invalid_argument
// otherwise.
template <typename E>
void tile_gemm_check(float* c, const E* a, const E* b, int M, int N, int K, bool a_trans, bool b_rows,
                     bool accumulate, cudaStream_t stream);

}  // namespace deepnet::kernels::cuda
