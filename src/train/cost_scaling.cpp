// Dynamic loss scaling (see cost_scaling.h).
#include "src/train/cost_scaling.h"

#include <algorithm>
#include <sstream>

namespace deepnet {

namespace {
constexpr double kLargestScale = 1e30;  // far beyond any useful scale, far below float's range
}

void start_cost_scaling(const CostScaling& c, TrainProgress& p) {
    if (!c.on) {
        p.cost_scale = 0, p.cost_scale_finite = 0;
    } else if (p.cost_scale == 0) {
        p.cost_scale = c.scale, p.cost_scale_finite = 0;
    }
}

bool adjust_cost_scale(const CostScaling& c, TrainProgress& p, bool finite) {
    if (!c.on) return true;
    if (finite) {
        if (++p.cost_scale_finite >= c.frequency) {
            p.cost_scale = std::min(p.cost_scale * c.multiplier, kLargestScale);
            p.cost_scale_finite = 0;
        }
        return true;
    }
    p.cost_scale_finite = 0;
    if (p.cost_scale <= c.minimum || c.multiplier == 1) return true;  // nothing to come down: a real skip
    p.cost_scale = std::max(p.cost_scale / c.multiplier, c.minimum);
    return false;
}

std::string format_scale(double s) {
    std::ostringstream o;
    o << s;
    return o.str();
}

std::string describe_cost_scaling(const CostScaling& c, const TrainProgress& p) {
    return "scale " + format_scale(p.cost_scale) + ", x" + format_scale(c.multiplier) + " after " +
           std::to_string(c.frequency) + " finite updates, divided on NaN/Inf down to " + format_scale(c.minimum);
}

}  // namespace deepnet
