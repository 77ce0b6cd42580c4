// Dynamic loss scaling (Marian's --cost-scaling, src/config/train_config.h): the backward
// runs on scale x loss so that small gradients survive float16 GEMM operands, the update
// divides the scale out again, and the scale follows the gradients' health. Its state lives
// in TrainProgress, so a resumed run scales as the uninterrupted one.
#pragma once

#include <string>

#include "src/config/train_config.h"
#include "src/train/train_state.h"

namespace deepnet {

// At start-up: a resumed run keeps its scale; a run that turns scaling on starts at the
// configured scale, one that turns it off forgets it.
void start_cost_scaling(const CostScaling& c, TrainProgress& p);

// The loss multiplier of the next update (1 when off).
inline double cost_scale(const CostScaling& c, const TrainProgress& p) { return c.on ? p.cost_scale : 1.0; }

// After an update: `frequency` finite ones in a row multiply the scale by `multiplier`; a
// non-finite one divides it, not below `minimum`. False when a non-finite update brought
// the scale down (the skip is the mechanism working, not a sign of divergence).
bool adjust_cost_scale(const CostScaling& c, TrainProgress& p, bool finite);

// "scale 256, x2 after 1000 finite updates, divided on NaN/Inf down to 1" for the log.
std::string describe_cost_scaling(const CostScaling& c, const TrainProgress& p);
std::string format_scale(double s);

}  // namespace deepnet
