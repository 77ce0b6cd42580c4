// --mini-batch-fit (see batch_fit.h).
#include "src/train/batch_fit.h"

#include <algorithm>

#include "src/core/error.h"
#include "src/core/memory_stats.h"
#include "src/model/batch.h"
#include "src/train/memory_report.h"

namespace deepnet {
namespace {

// A batch of B pairs, both sides L - 1 tokens (+ </s> = L positions), of ordinary tokens.
Batch trial_batch(const ModelConfig& cfg, int64_t B, int64_t L) {
    const int64_t first = cfg.eos_id + 1, span = std::max<int64_t>(1, cfg.vocab_size - first);
    std::vector<std::vector<int64_t>> side(size_t(B), std::vector<int64_t>(size_t(L - 1)));
    for (int64_t i = 0; i < B; ++i)
        for (int64_t j = 0; j < L - 1; ++j) side[size_t(i)][size_t(j)] = first + (i * 31 + j * 7) % span;
    return make_batch(side, side, cfg);
}

// Device bytes one training step of the batch takes above what is held before it (the
// allocator's peak, from empty activation buffers); -1 when the device runs out of memory.
int64_t measure(Transformer<float>& model, int64_t B, int64_t L) {
    const Device device = model.context().device;
    model.release_activations();
    const Batch batch = trial_batch(model.config(), B, L);
    const int64_t before = memory_stats(device).in_use;
    reset_memory_peak(device);
    int64_t bytes = -1;
    try {
        const StepRng rng{model.config().seed, 0, true};
        const LossStats st = model.forward(batch, rng);
        model.backward(batch, rng, 1.0 / double(std::max<int64_t>(st.tokens, 1)));
        bytes = memory_stats(device).peak - before;
    } catch (const std::exception& e) {
        if (!is_out_of_memory(e)) throw;
    }
    model.params().zero_grad();
    model.release_activations();
    return bytes;
}

std::vector<int64_t> table(const ModelConfig& cfg, const TrainingMemorySetting& setting, int64_t max_positions,
                           int64_t step, int64_t budget) {
    std::vector<int64_t> out;
    for (int64_t L = step;; L += step) {
        const int64_t len = std::min(L, max_positions);
        out.push_back(largest_batch(cfg, setting, len, len, budget));
        if (len == max_positions) break;
    }
    return out;
}

}  // namespace

BatchFit fit_batches(Transformer<float>& model, const TrainingMemorySetting& setting, int64_t max_positions,
                     int64_t step, int64_t workspace) {
    const ModelConfig& cfg = model.config();
    const int64_t L = max_positions;
    DEEPNET_USER_CHECK(workspace > 0, "--mini-batch-fit needs a workspace to fill: give -w in MB");
    // The runtime's own workspace is not the allocator's: the measurement cannot see it.
    const auto planned = [&](int64_t B) {
        return plan_training_memory(cfg, setting, {B, L, L}).batch_bytes() - setting.gpu_workspace;
    };
    BatchFit fit;
    fit.step = step;
    int64_t budget = workspace;
    std::string tried;
    for (int round = 0; round < 4; ++round) {
        fit.sentences = table(cfg, setting, L, step, budget);
        const int64_t B = fit.sentences.back();
        DEEPNET_USER_CHECK(B > 0, "--mini-batch-fit: not one sentence of " << L << " positions fits the "
                               << format_bytes(workspace) << " workspace (one takes "
                               << format_bytes(plan_training_memory(cfg, setting, {1, L, L}).batch_bytes())
                               << "): raise -w, lower --max-length, or turn on --gradient-checkpointing");
        int64_t at_B = -1;  // measured bytes of B sentences
        for (int64_t b : {B / 4, B / 2, B}) {
            if (b < 1) continue;
            const int64_t got = measure(model, b, L);
            tried += (tried.empty() ? "" : ", ") + std::to_string(b) + ": " +
                     (got < 0 ? std::string("out of memory") : format_bytes(got)) + " (plan " +
                     format_bytes(planned(b)) + ")";
            if (got < 0) break;
            if (b == B) at_B = got;
        }
        if (at_B >= 0 && at_B + setting.gpu_workspace <= workspace) {
            fit.report.push_back("mini-batch-fit: measured at " + std::to_string(L) + "+" + std::to_string(L) +
                                 " positions, sentences: " + tried);
            std::string sizes;
            for (size_t k = 0; k < fit.sentences.size(); ++k)
                sizes += (k ? ", " : "") + std::to_string(std::min<int64_t>(int64_t(k + 1) * step, L)) + ": " +
                         std::to_string(fit.sentences[k]);
            fit.report.push_back("mini-batch-fit: sentences per batch by padded length (within " +
                                 format_bytes(workspace) + "): " + sizes);
            return fit;
        }
        // The plan was short of the device: shrink every size by the shortfall, measure again.
        const double ratio = at_B < 0 ? 2.0 : double(at_B) / double(std::max<int64_t>(planned(B), 1));
        budget = int64_t(double(budget) / std::max(ratio, 1.01) * 0.99);
    }
    throw UserError("--mini-batch-fit: the measured batches kept exceeding the memory plan (" + tried +
                    "): use --mini-batch-words instead, and please report this with --dump-memory's output");
}

}  // namespace deepnet
