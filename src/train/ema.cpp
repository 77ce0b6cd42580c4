// Weight averaging (see ema.h).
#include "src/train/ema.h"

#include "src/ops/elementwise.h"

namespace deepnet {

void WeightAverage::update(FlatView<float> p) {
    if (!enabled()) return;
    if (ema_.size() != p.size()) {
        ema_ = p.to_vector();
        return;
    }
    const Context ctx;  // the average lives on the host
    const int64_t n = int64_t(p.size());
    // The float factors of the old loop, so averages repeat bitwise across versions.
    ops::axpby(ctx, view(ema_.data(), {n}), view(p.data(), {n}), double(float(factor_)),
               double(1.0f - float(factor_)));
}

}  // namespace deepnet
