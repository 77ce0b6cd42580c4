// Weight averaging (see ema.h).
#include "src/train/ema.h"

#include "src/ops/elementwise.h"

namespace deepnet {

void WeightAverage::allocate(int64_t n, const Device& device) {
    MemoryPlan plan;
    plan.add("ema", MemoryKind::Parameters, DType::F32, {n});
    arena_ = std::make_unique<Arena>(std::move(plan), device);
    ema_ = FlatView<float>(arena_->view("ema").as<float>(), n, device);
}

void WeightAverage::load(const std::vector<float>& values, const Device& device) {
    if (values.empty()) return;
    allocate(int64_t(values.size()), device);
    ema_.assign(values);
}

void WeightAverage::update(const Context& ctx, FlatView<float> p) {
    if (!enabled()) return;
    const int64_t n = int64_t(p.size());
    if (ema_.size() != p.size() || !(ema_.device() == ctx.device)) {
        allocate(n, ctx.device);
        ops::copy(ctx, view(ema_.data(), {n}, ctx.device), view(p.data(), {n}, ctx.device));
        return;
    }
    // The float factors of the old loop, so averages repeat bitwise across versions.
    ops::axpby(ctx, view(ema_.data(), {n}, ctx.device), view(p.data(), {n}, ctx.device), double(float(factor_)),
               double(1.0f - float(factor_)));
}

}  // namespace deepnet
