// Marian's --mini-batch-fit: how many sentences of each length fit the workspace (-w).
// The memory plan predicts the largest batch for every length step up to max-length; then
// real training steps on the device, with growing batches of the longest length (a quarter,
// half and all of the predicted size, from empty buffers each), measure what the plan
// predicted. When a measurement exceeds the plan, every length's size shrinks by the same
// ratio and is measured again, so the table never trusts the plan blindly. Out of device
// memory during a trial counts as "does not fit". Computed once at start-up, kept for the run.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "src/model/memory_estimate.h"
#include "src/model/transformer.h"

namespace deepnet {

struct BatchFit {
    int64_t step = 10;                // positions per table entry
    std::vector<int64_t> sentences;   // entry k: padded length up to (k + 1) * step
    std::vector<std::string> report;  // the measurements and the table, for the log
};

// max_positions: max-length + 1 (</s>). The model's gradients are zeroed and its activation
// buffers released afterwards; its weights are not touched.
BatchFit fit_batches(Transformer<float>& model, const TrainingMemorySetting& setting, int64_t max_positions,
                     int64_t step, int64_t workspace);

}  // namespace deepnet
