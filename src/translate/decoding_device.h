// Where translate and score run: the CPU, or one GPU (`--devices 0`, Marian's option) that
// gets a copy of the loaded model's weights. The decoder, beam search and scorer are the
// same code on both; on a GPU their ops run the CUDA kernels (docs/decoding.md).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "src/model/transformer.h"
#include "src/ops/device_runtime.h"

namespace deepnet {

class DecodingDevice {
public:
    // devices: empty = the CPU (the model is used as it is); one id = that GPU. gemm: the
    // GEMM operands' type (--precision). A UserError for several ids, a GPU this binary or
    // this machine does not have, or bfloat16 on a CPU without AVX-512 / AMX.
    DecodingDevice(Transformer<float>& cpu_model, const std::vector<int64_t>& devices, DType gemm = DType::F32);
    ~DecodingDevice();  // the model copy goes before the runtime it runs on

    Transformer<float>& model() { return gpu_model_ ? *gpu_model_ : cpu_model_; }
    std::string describe() const;

private:
    Transformer<float>& cpu_model_;
    std::unique_ptr<ops::DeviceRuntime> runtime_;
    std::unique_ptr<Transformer<float>> gpu_model_;
};

}  // namespace deepnet
