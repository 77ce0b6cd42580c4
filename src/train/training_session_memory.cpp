// The training memory plan of a session (see training_session.h): printed before the first
// update, --mini-batch-fit's table measured on the device, and out-of-memory errors.
#include "src/core/error.h"
#include "src/core/log.h"
#include "src/core/memory_stats.h"
#include "src/train/batch_fit.h"
#include "src/train/training_session.h"

namespace deepnet {

void TrainingSession::plan_memory() {
    const TrainingMemorySetting setting = memory_setting(cfg_, dp_.world());
    const size_t free = cfg_.devices.empty() ? 0 : device_->free_bytes();
    const int64_t workspace = workspace_bytes(cfg_, free);
    DataConfig& data = setup_.data;
    if (data.mini_batch_fit) {
        // Deterministic on the CPU, so every rank finds the same table (their batches must agree).
        const BatchFit fit = fit_batches(*model_, setting, data.max_length + 1, data.mini_batch_fit_step, workspace);
        data.fit_sentences = fit.sentences;
        for (const std::string& line : fit.report) log::info(line);
    }
    const BatchShape shape = largest_batch_shape(data);
    for (const std::string& line : memory_plan_lines(model_->config(), setting, shape, device_->describe(), workspace))
        log::info(line);
    const TrainingMemoryPlan plan = plan_training_memory(model_->config(), setting, shape);
    planned_bytes_ = plan.total() - setting.gpu_workspace;  // what the allocator will see
    if (cfg_.devices.empty()) return;
    // What is not allocated yet (the batch's buffers, the Adam moments) must fit what is free.
    const int64_t held = memory_stats(context().device).in_use + setting.gpu_workspace;
    const int64_t missing = plan.total() - held;
    DEEPNET_USER_CHECK(missing <= int64_t(free),
                       "the largest batch (" << shape.B << " sentences of " << shape.T << " positions) needs "
                           << format_bytes(plan.total()) << " on " << device_->describe() << " (plan above), "
                           << format_bytes(int64_t(free)) << " is free for the " << format_bytes(missing)
                           << " not yet allocated: lower --mini-batch-words or --max-length, use --mini-batch-fit "
                              "with -w, or turn on --gradient-checkpointing");
}

void TrainingSession::report_memory_peak() {
    if (memory_reported_) return;
    memory_reported_ = true;
    const MemoryStats m = memory_stats(context().device);
    log::info("memory after the first update: " + format_bytes(m.peak) + " at the allocator's peak, " +
              format_bytes(m.in_use) + " held; the plan of the largest batch: " + format_bytes(planned_bytes_) +
              " (docs/memory.md)");
}

void TrainingSession::out_of_memory(const std::exception& e, const Batch& batch) const {
    const TrainingMemoryPlan plan =
        plan_training_memory(model_->config(), memory_setting(cfg_, dp_.world()), {batch.B, batch.S, batch.T});
    throw UserError(std::string(e.what()) + "\nduring a batch of " + std::to_string(batch.B) + " sentences x " +
                    std::to_string(batch.S) + " source x " + std::to_string(batch.T) +
                    " target positions; the memory plan of that batch: " + format_bytes(plan.total()) + " (state " +
                    format_bytes(plan.state_bytes()) + ", batch " + format_bytes(plan.batch_bytes()) +
                    ", see --dump-memory): lower --mini-batch-words or --max-length, use --mini-batch-fit with -w, "
                    "or turn on --gradient-checkpointing");
}

}  // namespace deepnet
