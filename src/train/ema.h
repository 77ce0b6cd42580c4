// Exponential moving average of the weights (Marian's exponential-smoothing):
//   ema = (1 - a) * ema + a * params after every update; validation and saved models use ema.
// The average is one planned buffer (kind Parameters: a copy of the weights) on the
// weights' device, updated there through the model's context.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "src/core/context.h"
#include "src/core/param_store.h"

namespace deepnet {

class WeightAverage {
public:
    explicit WeightAverage(double factor) : factor_(factor) {}
    bool enabled() const { return factor_ > 0; }
    // The first call copies the weights.
    void update(const Context& ctx, FlatView<float> params);
    // Resume: the saved average, onto `device` (empty: the next update starts it afresh).
    void load(const std::vector<float>& values, const Device& device = {});
    FlatView<float> values() const { return ema_; }

private:
    void allocate(int64_t n, const Device& device);

    double factor_;
    std::unique_ptr<Arena> arena_;
    FlatView<float> ema_;
};

}  // namespace deepnet
