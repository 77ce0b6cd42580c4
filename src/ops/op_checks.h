// What every op does before it calls a kernel: check that each tensor is on the context's
// device, has the op's element type and the expected shape; then pick the kernel by device
// (the one visible CPU | CUDA switch of each op) and by element type.
//
// The CUDA room is built where a CUDA kernel library is linked (DEEPNET_OPS_CUDA: the
// emulated device of tests/cuda_emu today); elsewhere its branch is one clear error.
#pragma once

// on_device's body depends on DEEPNET_OPS_CUDA, which differs between the CPU-only ops
// library and the CUDA room: inlined anywhere else, one binary would hold both versions.
#ifndef DEEPNET_OPS_TU
#error "src/ops/op_checks.h is for src/ops/*.cpp only: include the op's own header"
#endif

#include <cstdint>
#include <initializer_list>

#include "kernels/kernel_types.h"
#include "src/core/context.h"
#include "src/core/tensor.h"

namespace deepnet {
template <>
constexpr DType dtype_of<kernels::bf16>() {
    return DType::BF16;
}
}  // namespace deepnet

namespace deepnet::ops::detail {

#ifdef DEEPNET_OPS_CUDA
constexpr bool kCudaBuilt = true;
#else
constexpr bool kCudaBuilt = false;
#endif

// The element type of statistics, losses and fp32 gradients beside values of `values`.
inline DType stats_type(DType values) { return values == DType::F64 ? DType::F64 : DType::F32; }

inline cudaStream_t stream_of(const Context& ctx) { return static_cast<cudaStream_t>(ctx.stream); }

// `bytes` of the context's workspace, or an error naming the op.
void* workspace(const Context& ctx, const char* op, size_t bytes);

// One tensor argument: its name for the error, the expected shape (a dimension of -1 is
// not checked), and whether it may be absent (an empty view).
struct Arg {
    const TensorView& t;
    const char* name;
    std::initializer_list<int64_t> shape;
    bool optional = false;
};

// Values must share `dtype`; index tensors (i64) are checked by check_index.
void check_values(const Context& ctx, const char* op, DType dtype, std::initializer_list<Arg> args);
void check_index(const Context& ctx, const char* op, std::initializer_list<Arg> args);

// Every id of an i64 tensor in [lo, hi) before a kernel indexes memory with it: "op: what
// v not in [lo, hi)". Host memory only: on a device the kernel's bounds are the caller's.
void check_ids(const Context& ctx, const char* op, const TensorView& ids, const char* what, int64_t lo,
               int64_t hi);

// The CUDA branch of an op whose CUDA path is not wired yet: one clear error.
[[noreturn]] void cuda_not_built(const char* op);
[[noreturn]] void unsupported_dtype(const char* op, DType dtype);

// Calls f(T()) with T the C++ type of `dtype` (float or double on the CPU).
template <typename F>
void by_dtype(const char* op, DType dtype, F&& f) {
    switch (dtype) {
        case DType::F32: f(float()); return;
        case DType::F64: f(double()); return;
        default: unsupported_dtype(op, dtype);
    }
}

// Calls f(T()) with T the CUDA storage type of `dtype` (float or bf16).
template <typename F>
void by_cuda_dtype(const char* op, DType dtype, F&& f) {
    switch (dtype) {
        case DType::F32: f(float()); return;
        case DType::BF16: f(kernels::bf16()); return;
        default: unsupported_dtype(op, dtype);
    }
}

// The dispatch of an op: on the CPU, cpu(T()) by element type; on CUDA, cuda(T()) where
// the CUDA room is built, else one clear error.
template <typename Cpu, typename Cuda>
void on_device(const Context& ctx, const char* op, DType dtype, Cpu&& cpu, Cuda&& cuda) {
    switch (ctx.device.kind) {
        case DeviceKind::CPU: by_dtype(op, dtype, cpu); return;
        case DeviceKind::CUDA:
            if constexpr (kCudaBuilt) {
                by_cuda_dtype(op, dtype, cuda);
                return;
            } else {
                cuda_not_built(op);
            }
    }
}

}  // namespace deepnet::ops::detail
