// The training memory plan of a session (see training_session.h): printed before the first
// update, --mini-batch-fit's table measured on the device, and out-of-memory errors.
#include <algorithm>

#include "src/core/error.h"
#include "src/core/log.h"
#include "src/core/memory_stats.h"
#include "src/train/batch_fit.h"
#include "src/train/training_session.h"

namespace deepnet {

void TrainingSession::plan_memory() {
    const TrainingMemorySetting setting = memory_setting(cfg_, dp_.world());
    const Device device = context().device;
    const size_t free = cfg_.devices.empty() ? 0 : device_->free_bytes();
    DEEPNET_USER_CHECK(cfg_.workspace_mb >= 0 || !cfg_.devices.empty(),
                       "-w " << cfg_.workspace_mb << ": a negative workspace is a GPU's free memory minus "
                             << -cfg_.workspace_mb << " MB; on the CPU give it in MB (e.g. -w 4000)");
    // The state not allocated yet (Adam's moments and the weight average come with the first
    // update) is not free for batches: -w -N must not count it.
    const int64_t held = memory_stats(device).in_use;
    const int64_t state_to_come =
        std::max<int64_t>(0, plan_training_memory(model_->config(), setting, {}).state_bytes() - held);
    const int64_t workspace =
        workspace_bytes(cfg_, free > size_t(state_to_come) ? free - size_t(state_to_come) : size_t(0));
    DataConfig& data = setup_.data;
    if (data.mini_batch_fit) fill_fit_table(setting, workspace);
    const BatchShape shape = largest_batch_shape(data);
    for (const std::string& line : memory_plan_lines(model_->config(), setting, shape, device_->describe(), workspace))
        log::info(line);
    if (const std::string worst = worst_batch_line(model_->config(), setting, data); !worst.empty()) log::info(worst);
    const TrainingMemoryPlan plan = plan_training_memory(model_->config(), setting, shape);
    reset_memory_peak(device);  // the fit's trials are not the first update's peak
    if (cfg_.devices.empty()) return;
    // What is not allocated yet (the batch's buffers, the Adam moments) must fit what is free.
    const int64_t missing = plan.total() - held - setting.gpu_workspace;
    DEEPNET_USER_CHECK(missing <= int64_t(free),
                       "the largest batch (" << shape.B << " sentences of " << shape.T << " positions) needs "
                           << format_bytes(plan.total()) << " on " << device_->describe() << " (plan above), "
                           << format_bytes(int64_t(free)) << " is free for the " << format_bytes(missing)
                           << " not yet allocated: lower --mini-batch-words or --max-length, use --mini-batch-fit "
                              "with -w, or turn on --gradient-checkpointing");
}

// The --mini-batch-fit table: the resumed run's own (saved in its training state) when it was
// made for the same step and -w, so that the rest of the epoch has the uninterrupted run's
// batches; otherwise measured now, by every rank, and made the same on all of them.
void TrainingSession::fill_fit_table(const TrainingMemorySetting& setting, int64_t workspace) {
    DataConfig& data = setup_.data;
    TrainProgress& p = state_.progress;
    const int64_t L = data.max_length + 1, step = data.mini_batch_fit_step;
    const size_t entries = size_t((L + step - 1) / step);
    if (!p.fit_sentences.empty() && p.fit_step == step && p.fit_workspace_mb == cfg_.workspace_mb &&
        p.fit_sentences.size() == entries) {
        data.fit_sentences = p.fit_sentences;
        log::info("mini-batch-fit: the table of the resumed run (its training state), " + std::to_string(entries) +
                  " lengths up to " + std::to_string(L) + " positions");
        return;
    }
    if (!p.fit_sentences.empty())
        log::warn("mini-batch-fit: the resumed run's table was made for step " + std::to_string(p.fit_step) + " and -w " +
                  std::to_string(p.fit_workspace_mb) + ": measuring a new one, so the rest of this epoch is cut "
                  "into other batches than the uninterrupted run's");
    BatchFit fit = fit_batches(*model_, setting, L, step, workspace);
    for (const std::string& line : fit.report) log::info(line);
    // Every rank walks the same batch stream, so the ranks must cut it alike: each length
    // takes the smallest count measured on any rank (GPU ranks measure their own device, whose
    // free memory, and so a negative -w's workspace, may differ).
    if (dp_.world() > 1) {
        const std::vector<int64_t> own = fit.sentences;
        dp_.min_over_ranks(fit.sentences);
        if (fit.sentences != own)
            log::info("mini-batch-fit: the table is the smallest over the " + std::to_string(dp_.world()) +
                      " ranks (another rank's device fits fewer sentences)");
    }
    data.fit_sentences = fit.sentences;
    p.fit_sentences = fit.sentences;
    p.fit_step = step;
    p.fit_workspace_mb = cfg_.workspace_mb;
}

void TrainingSession::note_first_batch(const BatchShape& shape) {
    const TrainingMemorySetting setting = memory_setting(cfg_, dp_.world());
    // The runtime's own workspace is not the allocator's: the plan without it is comparable.
    const int64_t bytes = plan_training_memory(model_->config(), setting, shape).total() - setting.gpu_workspace;
    if (bytes > first_batch_bytes_) first_batch_ = shape, first_batch_bytes_ = bytes;
}

void TrainingSession::report_memory_peak() {
    if (memory_reported_) return;
    memory_reported_ = true;
    const MemoryStats m = memory_stats(context().device);
    const int64_t plan = first_batch_bytes_;
    log::info("memory after the first update: " + format_bytes(m.peak) + " at the allocator's peak, " +
              format_bytes(m.in_use) + " held; the plan of its batch (" + std::to_string(first_batch_.B) + " x " +
              std::to_string(first_batch_.S) + " x " + std::to_string(first_batch_.T) + "): " + format_bytes(plan) +
              " (" + std::to_string(m.peak) + " and " + std::to_string(plan) + " bytes; docs/memory.md)");
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
