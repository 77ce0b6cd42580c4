// Flat parameter layout (names -> shape, offset) and the arena-backed parameter buffers.
#include "src/core/param_store.h"

#include "src/core/error.h"

namespace deepnet {

int64_t ParamLayout::add(const std::string& name, const std::vector<int64_t>& shape) {
    DEEPNET_CHECK(!index_.count(name), "parameter declared twice: " << name);
    // Callers check the model's shape first (model_limits.h); this is the last line of defence.
    int64_t size = 1;
    for (int64_t d : shape)
        DEEPNET_CHECK(d >= 0 && !__builtin_mul_overflow(size, d, &size), "parameter " << name << " is too large");
    ParamEntry e{name, shape, total_, size};
    int64_t padded = 0, total = 0;
    DEEPNET_CHECK(!__builtin_add_overflow(size, 15, &padded) &&
                      !__builtin_add_overflow(total_, padded / 16 * 16, &total),
                  "the parameters are too many at " << name);
    total_ = total;
    index_[name] = entries_.size();
    entries_.push_back(e);
    return e.offset;
}

const ParamEntry& ParamLayout::at(const std::string& name) const {
    auto it = index_.find(name);
    DEEPNET_CHECK(it != index_.end(), "no parameter named " << name);
    return entries_[it->second];
}

int64_t ParamLayout::count() const {
    int64_t n = 0;
    for (const auto& e : entries_) n += e.size;
    return n;
}

}  // namespace deepnet

namespace deepnet {

template <typename T>
void FlatView<T>::assign(const std::vector<T>& src) const {
    DEEPNET_CHECK(int64_t(src.size()) == n_, "copying " << src.size() << " values into a buffer of " << n_);
    device_copy(device_, data_, Device{}, src.data(), src.size() * sizeof(T));
}

template <typename T>
std::vector<T> FlatView<T>::to_vector() const {
    std::vector<T> out(size());
    device_copy(Device{}, out.data(), device_, data_, out.size() * sizeof(T));
    return out;
}

template <typename T>
void Params<T>::allocate_elements(int64_t n, bool gradients, Device device) {
    MemoryPlan plan;
    plan.add("parameters", MemoryKind::Parameters, dtype_of<T>(), {n});
    if (gradients) plan.add("gradients", MemoryKind::Gradients, dtype_of<T>(), {n});
    arena_ = std::make_unique<Arena>(std::move(plan), device);
    device_ = device;
    value = FlatView<T>(arena_->view("parameters").as<T>(), n, device);
    grad = gradients ? FlatView<T>(arena_->view("gradients").as<T>(), n, device) : FlatView<T>();
}

template class FlatView<float>;
template class FlatView<double>;
template struct Params<float>;
template struct Params<double>;

}  // namespace deepnet
