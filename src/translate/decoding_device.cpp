// The device of translate and score (see decoding_device.h).
#include "src/translate/decoding_device.h"

#include "src/core/error.h"
#include "src/ops/linear.h"

namespace deepnet {

DecodingDevice::DecodingDevice(Transformer<float>& cpu_model, const std::vector<int64_t>& devices, DType gemm)
    : cpu_model_(cpu_model) {
    if (devices.empty()) {
        if (gemm == DType::BF16) {
            const std::string why = ops::bf16_gemm_unavailable_reason();
            DEEPNET_USER_CHECK(why.empty(), "--precision bfloat16: " << why << "; decode in float32 on this CPU");
        }
        cpu_model.context().precision.gemm = gemm;
        return;
    }
    DEEPNET_USER_CHECK(devices.size() == 1, "--devices: " << devices.size()
                                                << " GPUs given; translate and score run on one GPU (start one "
                                                   "process per GPU on parts of the input)");
    DEEPNET_USER_CHECK(devices[0] >= 0 && devices[0] < 1024,
                       "--devices " << devices[0] << ": a GPU number is 0 or more, below 1024");
    runtime_ = std::make_unique<ops::DeviceRuntime>(Device{DeviceKind::CUDA, int(devices[0])});
    gpu_model_ = std::make_unique<Transformer<float>>(cpu_model.config(), ModelUse::Inference, runtime_->context());
    gpu_model_->params().value.assign(cpu_model.params().value.to_vector());
    gpu_model_->context().precision.gemm = gemm;
}

DecodingDevice::~DecodingDevice() { gpu_model_.reset(); }

std::string DecodingDevice::describe() const { return runtime_ ? runtime_->describe() : "CPU"; }

}  // namespace deepnet
