// Parameters in one flat buffer (and gradients in a second one of the same layout), each
// tensor found by its fairseq-style name (docs/model-format.md). Both buffers come from an
// Arena (memory_plan.h): kinds Parameters and Gradients, on the model's device. The flat
// layout lets one fused optimizer launch, one gradient-norm pass and one all-reduce cover
// the whole model.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "src/core/device_memory.h"
#include "src/core/error.h"
#include "src/core/memory_plan.h"

namespace deepnet {

struct ParamEntry {
    std::string name;
    std::vector<int64_t> shape;
    int64_t offset = 0;  // elements into the flat buffer
    int64_t size = 0;    // elements
};

class ParamLayout {
public:
    // Declares a tensor and returns its offset. Offsets are aligned to 16 elements.
    int64_t add(const std::string& name, const std::vector<int64_t>& shape);
    const ParamEntry& at(const std::string& name) const;
    bool contains(const std::string& name) const { return index_.count(name) > 0; }
    const std::vector<ParamEntry>& entries() const { return entries_; }
    int64_t total() const { return total_; }       // buffer length (with alignment gaps)
    int64_t count() const;                         // number of parameters proper

private:
    std::vector<ParamEntry> entries_;
    std::map<std::string, size_t> index_;
    int64_t total_ = 0;
};

// A typed window on one flat buffer on a device. assign() and to_vector() copy from and to
// the host whatever the device; the element accessors (begin, end, [], ==) are for host
// buffers only (the CPU path reads and writes them directly).
template <typename T>
class FlatView {
public:
    FlatView() = default;
    FlatView(T* data, int64_t n, Device device = {}) : data_(data), n_(n), device_(device) {}
    FlatView(std::vector<T>& v) : data_(v.data()), n_(int64_t(v.size())) {}  // like std::span
    T* data() const { return data_; }
    const Device& device() const { return device_; }
    size_t size() const { return size_t(n_); }
    bool empty() const { return n_ == 0; }
    // Host buffers only: on a GPU these would read device memory from the host (a crash on
    // a real device; the emulated one would not notice), so they refuse.
    T* begin() const { return host_data(); }
    T* end() const { return host_data() + n_; }
    T& operator[](size_t i) const { return host_data()[i]; }
    bool operator==(const FlatView& o) const { return n_ == o.n_ && std::equal(begin(), end(), o.begin()); }
    bool operator!=(const FlatView& o) const { return !(*this == o); }
    friend bool operator==(const std::vector<T>& a, const FlatView& b) {
        return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
    }
    friend bool operator==(const FlatView& a, const std::vector<T>& b) { return b == a; }
    // Copies a whole buffer in (sizes must match) / out.
    void assign(const std::vector<T>& src) const;
    std::vector<T> to_vector() const;

private:
    T* host_data() const {
        if (device_.kind != DeviceKind::CPU)
            throw Error("host access to a buffer on " + device_name(device_) + ": copy it with to_vector()");
        return data_;
    }

    T* data_ = nullptr;
    int64_t n_ = 0;
    Device device_;
};

template <typename T>
struct Params {
    FlatView<T> value;  // (total)
    FlatView<T> grad;   // (total), same layout; empty for inference
    // Plans and allocates the buffers (zeroed). Inference needs no gradients.
    void allocate(const ParamLayout& layout, bool gradients = true, Device device = {}) {
        allocate_elements(layout.total(), gradients, device);
    }
    void allocate_elements(int64_t n, bool gradients = true, Device device = {});
    void zero_grad() { device_zero(device_, grad.data(), grad.size() * sizeof(T)); }
    T* v(int64_t off) { return value.data() + off; }
    const T* v(int64_t off) const { return value.data() + off; }
    T* g(int64_t off) { return grad.data() + off; }
    const Device& device() const { return device_; }

private:
    std::unique_ptr<Arena> arena_;  // move-only: two Params never share buffers
    Device device_;
};

}  // namespace deepnet
