// The execution context every op receives, passed explicitly (no globals): the device, its
// stream and GEMM handle (CUDA only), the scratch workspace and the precision policy.
// The thread count is not here: CPU kernels split work with OpenMP, whose team size is set
// once at start-up (src/core/blas_setup.cpp), and decoding runs one single-threaded decoder
// per thread by nesting (docs/architecture.md says why).
#pragma once

#include <cstddef>

#include "src/core/device_buffer.h"
#include "src/core/tensor.h"

namespace deepnet {

// Device memory an op may use for the duration of one call (partial sums of a
// deterministic reduction, a sort's temporary storage). Owned by the caller, typically a
// planned Scratch buffer; an op that needs more than `bytes` says so.
struct Workspace {
    void* data = nullptr;
    size_t bytes = 0;
};

// How the model computes. Storage and statistics stay float32 in every mode today;
// gemm = BF16 rounds the GEMM operands to bfloat16 (ties to even) and sums the exact
// products in float32 (`precision: [bfloat16, float32]`), on the CPU (oneDNN) and on CUDA
// (cuBLASLt on bf16 copies of the operands, made in Context::staging).
struct PrecisionPolicy {
    DType storage = DType::F32;     // parameters, activations
    DType gemm = DType::F32;        // GEMM operands: F32 or BF16
    DType statistics = DType::F32;  // LayerNorm mean/rstd, losses, optimizer moments
};

struct Context {
    Device device;
    void* stream = nullptr;    // cudaStream_t on a CUDA device
    void* gemm = nullptr;      // cublasLtHandle_t on a CUDA device
    Workspace gemm_workspace;  // cuBLASLt's workspace on a CUDA device
    Workspace scratch;         // for the CUDA kernels that need it; unused on the CPU
    // Grows to the largest request and is reused by every op after it (on CUDA: the bf16
    // copies of float GEMM operands). Owned by the device runtime; ops run in stream order,
    // and a growth waits for the earlier work (DeviceBuffer copies synchronously), so one
    // buffer serves every call. Null on the CPU.
    DeviceBuffer<char>* staging = nullptr;
    PrecisionPolicy precision;
};

}  // namespace deepnet
