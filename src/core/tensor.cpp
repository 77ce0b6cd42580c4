// Names and sizes of element types and devices, and the one-line description of a view.
#include "src/core/tensor.h"

#include <sstream>

namespace deepnet {

const char* dtype_name(DType t) {
    switch (t) {
        case DType::F32: return "f32";
        case DType::BF16: return "bf16";
        case DType::F16: return "f16";
        case DType::F64: return "f64";
        case DType::I64: return "i64";
    }
    return "?";
}

int64_t dtype_bytes(DType t) {
    switch (t) {
        case DType::BF16:
        case DType::F16: return 2;
        case DType::F32: return 4;
        case DType::F64:
        case DType::I64: return 8;
    }
    return 0;
}

std::string device_name(const Device& d) {
    return d.kind == DeviceKind::CPU ? std::string("cpu") : "cuda:" + std::to_string(d.index);
}

std::string describe(const TensorView& t) {
    std::ostringstream os;
    os << dtype_name(t.dtype) << "[";
    for (int i = 0; i < t.rank; ++i) os << (i ? ", " : "") << t.dims[i];
    os << "] on " << device_name(t.device);
    return os.str();
}

}  // namespace deepnet
