// Exponential moving average of the weights (Marian's exponential-smoothing):
//   ema = (1 - a) * ema + a * params after every update; validation and saved models use ema.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "src/core/param_store.h"

namespace deepnet {

class WeightAverage {
public:
    explicit WeightAverage(double factor) : factor_(factor) {}
    bool enabled() const { return factor_ > 0; }
    // The first call copies the weights.
    void update(FlatView<float> params);
    const std::vector<float>& values() const { return ema_; }
    std::vector<float>& values() { return ema_; }

private:
    double factor_;
    std::vector<float> ema_;
};

}  // namespace deepnet
