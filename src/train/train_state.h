// Everything a killed run needs to resume exactly, in ONE file written atomically
// (<model>.state.safetensors): weights, Adam moments, the weight average, and in the
// metadata the progress (update count, data position, validation history), the resolved
// config and the vocabulary. One file means the pieces can never come from different steps.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "src/io/model_file.h"
#include "src/core/param_store.h"

namespace deepnet {

struct TrainProgress {
    int64_t updates = 0;            // optimizer updates applied
    int64_t micro_batches = 0;      // batches consumed (dropout RNG counter)
    int64_t epoch = 1;              // 1-based, as Marian logs it
    int64_t batches_in_epoch = 0;   // data position inside the epoch
    int64_t target_tokens = 0;      // seen so far
    int64_t skipped_updates = 0;    // non-finite loss/gradient, update skipped
    double elapsed_seconds = 0;
    std::map<std::string, double> best;  // best validation value per metric
    int64_t stalled = 0;                 // validations without improvement of the first metric
    int64_t validations = 0;
    uint64_t data_fingerprint = 0;       // of the tokenised training data: a position is only
                                         // meaningful for the data it was taken in
    // --cost-scaling: the current scale (0 = off) and the finite updates since it last
    // changed, so that a resumed run scales as the uninterrupted one would.
    double cost_scale = 0;
    int64_t cost_scale_finite = 0;
    // --mini-batch-fit's table (src/train/batch_fit.h) and what it was made for (step, -w in
    // MB): a resumed run reuses it, so its batches are the uninterrupted run's even where the
    // device's free memory differs. Empty = no table.
    std::vector<int64_t> fit_sentences;
    int64_t fit_step = 0, fit_workspace_mb = 0;
};

struct TrainState {
    TrainProgress progress;
    ModelMetadata meta;
    std::vector<float> params, adam_m, adam_v, ema;  // flat buffers (layout of the model)
};

std::string train_state_path(const std::string& model_path);

void save_train_state(const std::string& path, const ParamLayout& layout, const TrainState& st);

// Reading is two-phase, because the layout depends on the vocabulary stored in the state:
// open() reads the file and its progress + metadata; load_buffers() then fills the flat
// buffers for `layout`, with a UserError when the stored tensors do not fit it (the model
// options changed: the message suggests --no-reload).
class StoredTrainState {
public:
    explicit StoredTrainState(const std::string& path);
    ~StoredTrainState();
    const TrainProgress& progress() const { return state_.progress; }
    const ModelMetadata& meta() const { return state_.meta; }
    // Moves the buffers out: call once.
    TrainState load_buffers(const ParamLayout& layout);

private:
    std::string path_;
    struct File;
    std::unique_ptr<File> file_;
    TrainState state_;
};

std::string progress_to_yaml(const TrainProgress& p);
TrainProgress progress_from_yaml(const std::string& yaml, const std::string& origin);

}  // namespace deepnet
