// The device runtime (see device_runtime.h). Its CUDA part is compiled in the CUDA room
// (DEEPNET_OPS_CUDA) only.
#include "src/ops/device_runtime.h"

#include "src/core/error.h"
#ifdef DEEPNET_OPS_CUDA
#include "src/core/cuda_context.h"
#endif

namespace deepnet::ops {

#ifdef DEEPNET_OPS_CUDA
struct DeviceRuntime::Cuda {
    CudaContext device;
    CudaBuffer<char> scratch;
    DeviceBuffer<char> staging;  // grows on first use (Context::staging)
    Cuda(int index, size_t scratch_bytes)
        : device(index, kGemmWorkspaceBytes), scratch(int64_t(scratch_bytes), "op scratch") {}
};
#else
struct DeviceRuntime::Cuda {};
#endif

DeviceRuntime::DeviceRuntime(Device device, size_t scratch_bytes) {
    ctx_.device = device;
    if (device.kind == DeviceKind::CPU) return;
#ifdef DEEPNET_OPS_CUDA
    const int n = cuda_device_count();
    DEEPNET_USER_CHECK(device.index >= 0 && device.index < n,
                       device_name(device) << " requested, but " << n << " CUDA device(s) "
                                           << (n == 0 ? "were found (no GPU or no driver)" : "exist")
                                           << ": use another --devices value, or leave it empty for the CPU");
    cuda_ = std::make_unique<Cuda>(device.index, scratch_bytes);
    ctx_.stream = cuda_->device.stream();
    ctx_.gemm = cuda_->device.cublaslt();
    ctx_.gemm_workspace = {cuda_->device.lt_workspace(), cuda_->device.lt_workspace_bytes()};
    ctx_.scratch = {cuda_->scratch.data(), cuda_->scratch.bytes()};
    ctx_.staging = &cuda_->staging;
#else
    (void)scratch_bytes;
    throw UserError(device_name(device) +
                    " requested, but this deepnet binary was built without the CUDA backend (build it on a "
                    "machine with nvcc: docs/cuda.md), so it runs on the CPU only: leave --devices empty");
#endif
}

DeviceRuntime::~DeviceRuntime() = default;

std::string DeviceRuntime::describe() const {
#ifdef DEEPNET_OPS_CUDA
    if (cuda_) return deepnet::describe(cuda_->device.info());
#endif
    return "CPU";
}

size_t DeviceRuntime::free_bytes() const {
#ifdef DEEPNET_OPS_CUDA
    if (cuda_) return cuda_device_info(cuda_->device.device()).free_bytes;
#endif
    return 0;
}

bool DeviceRuntime::emulated() const {
#ifdef DEEPNET_OPS_CUDA
    if (cuda_) return cuda_->device.info().emulated;
#endif
    return false;
}

void DeviceRuntime::synchronize() const {
#ifdef DEEPNET_OPS_CUDA
    if (cuda_) cuda_->device.synchronize();
#endif
}

}  // namespace deepnet::ops
