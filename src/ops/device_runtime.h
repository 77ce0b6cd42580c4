// The device a model runs on, as the upper levels see it: the Context its ops receive and
// what must live as long as that Context (on CUDA: the device's stream, cuBLASLt handle
// and workspace, the ops' scratch and staging buffer). The upper levels never name CUDA: they ask for a
// Device and get a Context. In a binary without the CUDA room, a CUDA device is one clear
// error here, at start-up, not at the first op.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "src/core/context.h"

namespace deepnet::ops {

// What a GPU's runtime holds besides the model (the memory plan counts both).
constexpr size_t kOpScratchBytes = size_t(64) << 20;        // the kernels' scratch
constexpr size_t kGemmWorkspaceBytes = size_t(32) << 20;    // cuBLASLt's workspace

class DeviceRuntime {
public:
    explicit DeviceRuntime(Device device = {}, size_t scratch_bytes = kOpScratchBytes);
    ~DeviceRuntime();
    DeviceRuntime(const DeviceRuntime&) = delete;
    DeviceRuntime& operator=(const DeviceRuntime&) = delete;

    const Context& context() const { return ctx_; }
    // "CPU" or e.g. "GPU 0: NVIDIA H200, sm_90, 132 SMs, 139.8 GiB (139.2 free), L2 60 MiB".
    std::string describe() const;
    // Waits for the device's queued work; on CUDA, throws on an asynchronous error.
    void synchronize() const;
    // Free bytes of a GPU's memory now (0 on the CPU, where the host check applies).
    size_t free_bytes() const;
    // True on the emulated GPU of the tests (tests/cuda_emu): it runs kernels, not NCCL.
    bool emulated() const;

private:
    struct Cuda;  // the CUDA resources (device_runtime.cpp), absent on the CPU
    std::unique_ptr<Cuda> cuda_;
    Context ctx_;
};

}  // namespace deepnet::ops
