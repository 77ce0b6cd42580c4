// Device allocation (see device_memory.h).
#include "src/core/device_memory.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

namespace deepnet {

namespace {
constexpr int64_t kAlign = 64;  // a cache line; AVX-512 loads never split
}

void* device_allocate(const Device& device, int64_t bytes, const char* what) {
    DEEPNET_CHECK(bytes >= 0 && bytes <= (int64_t(1) << 48), "allocating " << what << ": " << bytes << " bytes");
    if (device.kind == DeviceKind::CUDA)
        throw UserError(std::string("allocating ") + what + " on " + device_name(device) +
                        ": this deepnet binary was built without the CUDA backend");
    const size_t rounded = size_t((std::max<int64_t>(bytes, 1) + kAlign - 1) / kAlign * kAlign);
    void* p = std::aligned_alloc(size_t(kAlign), rounded);
    if (!p) throw UserError(std::string("out of memory allocating ") + what + ": " + std::to_string(bytes) + " bytes");
    std::memset(p, 0, rounded);
    return p;
}

void device_release(const Device& device, void* p) noexcept {
    if (device.kind == DeviceKind::CPU) std::free(p);
}

}  // namespace deepnet
