// A growable array on a device, for activations and scratch that the layers size per batch
// (what std::vector was on the CPU): move-only, 64-byte aligned, new elements zero, old
// elements kept when it grows. The device is the one of the first allocation; asking for
// another device reallocates there (a model moved between devices) and keeps nothing.
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>

#include "src/core/device_memory.h"
#include "src/core/error.h"

namespace deepnet {

template <typename T>
class DeviceBuffer {
public:
    DeviceBuffer() = default;
    ~DeviceBuffer() { device_release(device_, p_, bytes(capacity_)); }
    DeviceBuffer(DeviceBuffer&& o) noexcept { swap(o); }
    DeviceBuffer& operator=(DeviceBuffer&& o) noexcept {
        DeviceBuffer tmp(std::move(o));
        swap(tmp);
        return *this;
    }
    DeviceBuffer(const DeviceBuffer&) = delete;
    DeviceBuffer& operator=(const DeviceBuffer&) = delete;

    T* data() const { return p_; }
    int64_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    const Device& device() const { return device_; }

    // At least n elements (the size never shrinks), keeping the contents.
    T* ensure(const Device& device, int64_t n) {
        if (n > size_ || !(device == device_)) resize_to(device, std::max(n, device == device_ ? size_ : 0), false);
        return p_;
    }
    // At least n elements, the contents NOT kept when it grows: the old block is freed before
    // the new one is allocated (zeroed), so a growing activation never holds both at once,
    // which is what the memory plan (src/model/memory_estimate.h) counts. For buffers that
    // are written before they are read.
    T* scratch(const Device& device, int64_t n) {
        if (n <= size_ && device == device_) return p_;
        const int64_t keep = device == device_ ? size_ : 0;
        {
            DeviceBuffer old;
            swap(old);  // the old block is freed here, before the new one exists
        }
        resize_to(device, std::max(n, keep), false);
        return p_;
    }
    // Exactly n elements (std::vector::resize): capacity grows geometrically, so a cache
    // that grows by one step per call copies O(1) per element on average.
    void resize(const Device& device, int64_t n) { resize_to(device, n, true); }
    void clear() { size_ = 0; }  // keeps the memory, as std::vector::clear

    void swap(DeviceBuffer& o) noexcept {
        std::swap(p_, o.p_);
        std::swap(size_, o.size_);
        std::swap(capacity_, o.capacity_);
        std::swap(device_, o.device_);
    }

private:
    static int64_t bytes(int64_t elements) { return elements * int64_t(sizeof(T)); }
    void resize_to(const Device& device, int64_t n, bool geometric) {
        DEEPNET_CHECK(n >= 0 && n <= (int64_t(1) << 45) / int64_t(sizeof(T)), "a buffer of " << n << " elements");
        if (!(device == device_)) {
            DeviceBuffer fresh;
            fresh.device_ = device;
            swap(fresh);
        }
        if (n > capacity_) {
            const int64_t cap = geometric ? std::max(n, capacity_ + capacity_ / 2) : n;
            T* q = static_cast<T*>(device_allocate(device_, bytes(cap), "activations"));
            try {
                device_copy(device_, q, device_, p_, size_t(size_) * sizeof(T));
            } catch (...) {
                device_release(device_, q, bytes(cap));
                throw;
            }
            device_release(device_, p_, bytes(capacity_));
            p_ = q;
            capacity_ = cap;  // device_allocate zeroed what lies beyond size_
        } else if (n > size_) {
            device_zero(device_, p_ + size_, size_t(n - size_) * sizeof(T));
        }
        size_ = n;
    }

    T* p_ = nullptr;
    int64_t size_ = 0, capacity_ = 0;
    Device device_;
};

}  // namespace deepnet
