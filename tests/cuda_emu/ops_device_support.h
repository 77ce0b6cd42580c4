// Shared by the tests that call src/ops on the emulated device: a CUDA context from the
// device runtime (stream, cuBLASLt handle and workspace, op scratch), views of device
// arrays, and a closeness check against the CPU branch's results.
#pragma once

#include <cmath>
#include <vector>

#include "cuda_test_support.h"
#include "src/ops/device_runtime.h"

namespace deepnet::test_cuda {

inline const Device kGpu{DeviceKind::CUDA, 0};

struct DeviceContext {
    ops::DeviceRuntime runtime{kGpu, size_t(1) << 22};
    Context ctx = runtime.context();  // a copy: a test may change its scratch or precision
};

template <typename T>
TensorView dview(Dev<T>& d, std::initializer_list<int64_t> shape) {
    return view(d.get(), shape, kGpu);
}

// |got - ref| <= tol (1 + |ref|) element by element; the first failure is reported.
template <typename T>
void check_close(const char* what, const std::vector<T>& got, const std::vector<T>& ref, double tol) {
    REQUIRE(got.size() == ref.size());
    for (size_t i = 0; i < got.size(); ++i) {
        INFO(what << "[" << i << "]: " << got[i] << " vs " << ref[i]);
        REQUIRE(std::fabs(double(got[i]) - double(ref[i])) <= tol * (1.0 + std::fabs(double(ref[i]))));
    }
}

}  // namespace deepnet::test_cuda
