// AdamW over the whole flat buffer (see optimizer.h).
#include "src/train/optimizer.h"

#include "src/core/error.h"

namespace deepnet {

template <typename T>
void AdamW<T>::allocate(int64_t n, const Device& device) {
    MemoryPlan plan;
    plan.add("adam.m", MemoryKind::OptimizerMoments, dtype_of<T>(), {n});
    plan.add("adam.v", MemoryKind::OptimizerMoments, dtype_of<T>(), {n});
    arena_ = std::make_unique<Arena>(std::move(plan), device);
    m_ = FlatView<T>(arena_->view("adam.m").template as<T>(), n, device);
    v_ = FlatView<T>(arena_->view("adam.v").template as<T>(), n, device);
}

template <typename T>
void AdamW<T>::set_moments(int64_t n, const std::vector<T>& m, const std::vector<T>& v, const Device& device) {
    allocate(n, device);
    if (!m.empty()) m_.assign(m);
    if (!v.empty()) v_.assign(v);
}

template <typename T>
UpdateInfo AdamW<T>::step(const Context& ctx, Params<T>& p, double lr, double grad_scale) {
    DEEPNET_CHECK(ctx.device == p.device(), "AdamW: the parameters are on " << device_name(p.device())
                                                << ", the context on " << device_name(ctx.device));
    const int64_t n = int64_t(p.value.size());
    if (int64_t(m_.size()) != n || !(m_.device() == p.device())) allocate(n, p.device());
    auto flat = [&](const FlatView<T>& b) { return view(b.data(), {n}, ctx.device); };
    return ops::adamw_step(ctx, flat(p.value), flat(p.grad), flat(m_), flat(v_), cfg_, lr, grad_scale, step_);
}

template class AdamW<float>;
template class AdamW<double>;

}  // namespace deepnet
