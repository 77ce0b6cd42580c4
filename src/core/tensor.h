// Non-owning tensor views: a pointer with its element type, its device and a row-major
// shape of 64-bit sizes (last dimension contiguous). Views never allocate or free; the
// memory belongs to an Arena (memory_plan.h) or to a layer's buffers. src/ops checks the
// shapes, element types and devices of the views it is given before it calls a kernel.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>

#include "src/core/error.h"

namespace deepnet {

// f32 | bf16 | f16 | f64 hold values; i64 holds token ids, positions and lengths.
enum class DType : uint8_t { F32, BF16, F16, F64, I64 };
enum class DeviceKind : uint8_t { CPU, CUDA };

struct Device {
    DeviceKind kind = DeviceKind::CPU;
    int index = 0;  // the CUDA ordinal; 0 on the CPU
    bool operator==(const Device& o) const { return kind == o.kind && index == o.index; }
    bool operator!=(const Device& o) const { return !(*this == o); }
};

const char* dtype_name(DType t);
int64_t dtype_bytes(DType t);
std::string device_name(const Device& d);  // "cpu", "cuda:0"

template <typename T>
constexpr DType dtype_of();
template <>
constexpr DType dtype_of<float>() { return DType::F32; }
template <>
constexpr DType dtype_of<double>() { return DType::F64; }
template <>
constexpr DType dtype_of<int64_t>() { return DType::I64; }

constexpr int kMaxRank = 4;

struct TensorView {
    void* data = nullptr;  // null: an absent optional tensor (e.g. no bias)
    DType dtype = DType::F32;
    Device device;
    int rank = 0;
    int64_t dims[kMaxRank] = {0, 0, 0, 0};

    bool empty() const { return data == nullptr; }
    int64_t dim(int i) const { return dims[i]; }
    int64_t numel() const {
        int64_t n = 1;
        for (int i = 0; i < rank; ++i) n *= dims[i];
        return n;
    }
    // The data as T*, after checking that T is the element type.
    template <typename T>
    T* as() const {
        DEEPNET_CHECK(data == nullptr || dtype == dtype_of<T>(),
                      "tensor of " << dtype_name(dtype) << " read as " << dtype_name(dtype_of<T>()));
        return static_cast<T*>(data);
    }
};

// "f32[4, 8] on cpu".
std::string describe(const TensorView& t);

// A view of p with the given shape (at most kMaxRank dimensions, each >= 0).
template <typename T>
TensorView view(T* p, std::initializer_list<int64_t> shape, Device device = {}) {
    using U = std::remove_const_t<T>;
    TensorView t;
    t.data = const_cast<U*>(p);
    t.dtype = dtype_of<U>();
    t.device = device;
    DEEPNET_CHECK(shape.size() <= size_t(kMaxRank), "a view of rank " << shape.size());
    for (int64_t d : shape) {
        DEEPNET_CHECK(d >= 0, "a view with a negative dimension " << d);
        t.dims[t.rank++] = d;
    }
    return t;
}

}  // namespace deepnet
