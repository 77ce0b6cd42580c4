// The memory plan: named tensors laid out in one flat buffer per kind (parameters,
// gradients, optimizer moments, activations, scratch), and the Arena that allocates those
// buffers on one device. Flat buffers per kind are what let one all-reduce cover every
// gradient and one fused AdamW launch cover every parameter (llm.c's design, by name
// instead of by index); the names drive checkpoints and the memory report.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "src/core/tensor.h"

namespace deepnet {

enum class MemoryKind : uint8_t { Parameters, Gradients, OptimizerMoments, Activations, Scratch };
constexpr int kMemoryKinds = 5;
const char* memory_kind_name(MemoryKind k);

struct PlannedTensor {
    std::string name;
    MemoryKind kind = MemoryKind::Scratch;
    DType dtype = DType::F32;
    std::vector<int64_t> shape;
    int64_t offset = 0;  // bytes into its kind's buffer, 64-byte aligned
    int64_t bytes = 0;
};

class MemoryPlan {
public:
    // Declares a tensor at the end of its kind's buffer and returns it (a copy: the plan
    // grows). Names are unique; sizes are checked for overflow.
    PlannedTensor add(const std::string& name, MemoryKind kind, DType dtype,
                      const std::vector<int64_t>& shape);
    const PlannedTensor& at(const std::string& name) const;
    bool contains(const std::string& name) const { return index_.count(name) > 0; }
    const std::vector<PlannedTensor>& entries() const { return entries_; }
    int64_t bytes(MemoryKind kind) const { return bytes_[int(kind)]; }

private:
    std::vector<PlannedTensor> entries_;
    std::map<std::string, size_t> index_;
    int64_t bytes_[kMemoryKinds] = {0, 0, 0, 0, 0};
};

// One zero-filled buffer per non-empty kind of a plan, on one device. Owns the memory.
class Arena {
public:
    Arena(MemoryPlan plan, Device device);
    ~Arena();
    Arena(const Arena&) = delete;
    Arena& operator=(const Arena&) = delete;

    const MemoryPlan& plan() const { return plan_; }
    const Device& device() const { return device_; }
    // The named tensor, shaped as planned.
    TensorView view(const std::string& name) const;

private:
    MemoryPlan plan_;
    Device device_;
    void* base_[kMemoryKinds] = {nullptr, nullptr, nullptr, nullptr, nullptr};
};

}  // namespace deepnet
