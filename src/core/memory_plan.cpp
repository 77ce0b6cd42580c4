// Memory plan and arena (see memory_plan.h).
#include "src/core/memory_plan.h"

#include "src/core/device_memory.h"

namespace deepnet {

namespace {
constexpr int64_t kAlign = 64;
}

const char* memory_kind_name(MemoryKind k) {
    switch (k) {
        case MemoryKind::Parameters: return "parameters";
        case MemoryKind::Gradients: return "gradients";
        case MemoryKind::OptimizerMoments: return "optimizer moments";
        case MemoryKind::Activations: return "activations";
        case MemoryKind::Scratch: return "scratch";
    }
    return "?";
}

PlannedTensor MemoryPlan::add(const std::string& name, MemoryKind kind, DType dtype,
                                     const std::vector<int64_t>& shape) {
    DEEPNET_CHECK(!index_.count(name), "tensor planned twice: " << name);
    DEEPNET_CHECK(shape.size() <= size_t(kMaxRank), "tensor " << name << " of rank " << shape.size());
    int64_t bytes = dtype_bytes(dtype);
    for (int64_t d : shape)
        DEEPNET_CHECK(d >= 0 && !__builtin_mul_overflow(bytes, d, &bytes), "tensor " << name << " is too large");
    int64_t& end = bytes_[int(kind)];
    PlannedTensor t{name, kind, dtype, shape, end, bytes};
    int64_t padded = 0, new_end = 0;
    DEEPNET_CHECK(!__builtin_add_overflow(bytes, kAlign - 1, &padded) &&
                      !__builtin_add_overflow(end, padded / kAlign * kAlign, &new_end),
                  "the " << memory_kind_name(kind) << " are too large at " << name);
    end = new_end;
    index_[name] = entries_.size();
    entries_.push_back(std::move(t));
    return entries_.back();
}

const PlannedTensor& MemoryPlan::at(const std::string& name) const {
    auto it = index_.find(name);
    DEEPNET_CHECK(it != index_.end(), "no planned tensor named " << name);
    return entries_[it->second];
}

Arena::Arena(MemoryPlan plan, Device device) : plan_(std::move(plan)), device_(device) {
    try {
        for (int k = 0; k < kMemoryKinds; ++k)
            if (plan_.bytes(MemoryKind(k)) > 0)
                base_[k] = device_allocate(device_, plan_.bytes(MemoryKind(k)), memory_kind_name(MemoryKind(k)));
    } catch (...) {
        for (int k = 0; k < kMemoryKinds; ++k) device_release(device_, base_[k], plan_.bytes(MemoryKind(k)));
        throw;
    }
}

Arena::~Arena() {
    for (int k = 0; k < kMemoryKinds; ++k) device_release(device_, base_[k], plan_.bytes(MemoryKind(k)));
}

TensorView Arena::view(const std::string& name) const {
    const PlannedTensor& e = plan_.at(name);
    TensorView t;
    t.data = static_cast<char*>(base_[int(e.kind)]) + e.offset;
    t.dtype = e.dtype;
    t.device = device_;
    for (int64_t d : e.shape) t.dims[t.rank++] = d;
    return t;
}

}  // namespace deepnet
