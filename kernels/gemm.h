// GEMMs on the GPU: one wrapper around cuBLASLt (every cuBLASLt call of the project is in
// gemm_cuda.cu), and the bias-gradient reduction that goes with it.
//
//   gemm:  row-major C = epilogue(alpha * op(A) op(B) + beta * C), op(A): (M, K), op(B): (K, N),
//          C: (M, N), the argument order of cpu::gemm (kernels/linear.h). Epilogues: Bias
//          adds bias[j] to column j (the output feature of a linear layer), BiasRelu then
//          takes max(0, .). Inputs float or bf16; output the input type, or float from bf16
//          or fp16 inputs (fp32 gradients of bf16 weights; the 16-bit operand copies of
//          `precision: [bfloat16|float16, float32]`). fp32 arithmetic (CUBLAS_COMPUTE_32F:
//          no TF32), so float GEMMs match the CPU's float GEMMs to summation order.
//          cuBLASLt is column-major: the wrapper computes C^T = op(B)^T op(A)^T, passing B
//          as cuBLASLt's A and A as its B (gemm_cuda.cu).
//   bias_grad_accumulate:  db[j] += sum_i dy[i, j], dy: (N, O), db fp32 or T; each column
//          summed in a fixed order (32 row phases, then their partial sums), without
//          atomics: deterministic.
//
// GELU is not offered as an epilogue: cuBLASLt's is the tanh approximation, and the models
// of this project use the exact (erf) GELU; GELU runs as the activation kernel after a Bias
// epilogue. No CPU twin file: the CPU GEMM is cpu::gemm (BLAS), and the tests compare with a
// reference computed in double.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/kernel_types.h"

namespace deepnet::kernels::cuda {

// The cuBLASLt handle (cublasLtHandle_t) and its workspace, owned by the device context.
struct GemmHandle {
    void* lt = nullptr;
    void* workspace = nullptr;
    size_t workspace_bytes = 0;
};

enum class GemmEpilogue { None, Bias, BiasRelu };

// bias: N values of TOut (null without a bias epilogue). Throws std::runtime_error with
// cuBLASLt's status and the call's shape when cuBLASLt refuses the call.
template <typename TIn, typename TOut>
void gemm(const GemmHandle& handle, bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
          const TIn* A, int64_t lda, const TIn* B, int64_t ldb, float beta, TOut* C, int64_t ldc,
          GemmEpilogue epilogue, const TOut* bias, cudaStream_t stream);

template <typename T, typename TGrad>
void bias_grad_accumulate(TGrad* db, const T* dy, int64_t N, int64_t O, cudaStream_t stream);

}  // namespace deepnet::kernels::cuda
