// Learning-rate schedule, Marian's options:
//   lr(t) = learn-rate * min(1, t / lr-warmup) * sqrt(d / max(t, d)),  d = lr-decay-inv-sqrt
// (no warm-up when lr-warmup is 0, no decay when d is 0). With warm-up = d this is fairseq's
// inverse_sqrt schedule. t counts updates from 1.
#pragma once

#include <cstdint>

namespace deepnet {

struct LrSchedule {
    double learn_rate = 0;  // the peak: the option learn-rate
    int64_t warmup = 0;
    int64_t decay_inv_sqrt = 0;

    double at(int64_t update) const;
};

}  // namespace deepnet
