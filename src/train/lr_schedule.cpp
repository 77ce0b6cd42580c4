// Warm-up + inverse square-root decay (see lr_schedule.h).
#include "src/train/lr_schedule.h"

#include <algorithm>
#include <cmath>

namespace deepnet {

double LrSchedule::at(int64_t t) const {
    t = std::max<int64_t>(t, 1);
    double lr = learn_rate;
    if (warmup > 0) lr *= std::min(1.0, double(t) / double(warmup));
    if (decay_inv_sqrt > 0) lr *= std::sqrt(double(decay_inv_sqrt) / double(std::max(t, decay_inv_sqrt)));
    return lr;
}

}  // namespace deepnet
