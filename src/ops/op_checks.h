// What every op does before it calls a kernel: check that each tensor is on the context's
// device, has the op's element type and the expected shape; then pick the kernel by device
// (the one visible CPU | CUDA switch of each op) and by element type.
#pragma once

#include <cstdint>
#include <initializer_list>

#include "src/core/context.h"
#include "src/core/tensor.h"

namespace deepnet::ops::detail {

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

// The dispatch of an op: on the CPU, f(T()) by element type; on CUDA, the CUDA branch.
template <typename Cpu>
void on_device(const Context& ctx, const char* op, DType dtype, Cpu&& cpu) {
    switch (ctx.device.kind) {
        case DeviceKind::CPU: by_dtype(op, dtype, cpu); return;
        case DeviceKind::CUDA: cuda_not_built(op);
    }
}

}  // namespace deepnet::ops::detail
