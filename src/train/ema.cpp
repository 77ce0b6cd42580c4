// Weight averaging (see ema.h).
#include "src/train/ema.h"

namespace deepnet {

void WeightAverage::update(const std::vector<float>& p) {
    if (!enabled()) return;
    if (ema_.size() != p.size()) {
        ema_ = p;
        return;
    }
    const float a = float(factor_), b = 1.0f - float(factor_);
    const int64_t n = int64_t(p.size());
#pragma omp parallel for simd schedule(static)
    for (int64_t i = 0; i < n; ++i) ema_[size_t(i)] = b * ema_[size_t(i)] + a * p[size_t(i)];
}

}  // namespace deepnet
