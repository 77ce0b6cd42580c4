// The state of one `deepnet train` process and its steps (internal to src/train): the
// loop and its set-up live in trainer.cpp, validation and checkpoints in
// training_session_save.cpp. run_training (trainer.h) is the public entry.
#pragma once

#include <sys/stat.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "src/data/batch_stream.h"
#include "src/data/training_data.h"
#include "src/dist/data_parallel.h"
#include "src/ops/device_runtime.h"
#include "src/train/cost_scaling.h"
#include "src/train/ema.h"
#include "src/train/lr_schedule.h"
#include "src/train/memory_report.h"
#include "src/train/optimizer.h"
#include "src/train/train_log.h"
#include "src/train/train_state.h"
#include "src/train/trainer.h"
#include "src/train/update_diagnostics.h"

namespace deepnet {

inline bool file_exists(const std::string& p) {
    struct stat st;
    return ::stat(p.c_str(), &st) == 0;
}

inline double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Statistics of the updates since the last progress line.
struct Interval {
    double loss = 0, nll = 0, grad_norm = 0;
    int64_t tokens = 0, sentences = 0, updates = 0;
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
};

class TrainingSession {
public:
    TrainingSession(const TrainerSetup& s, dist::DataParallel& dp)
        : setup_(s), cfg_(s.train), dp_(dp), opt_(AdamConfig{s.train.beta1, s.train.beta2, s.train.eps,
                                                     s.train.weight_decay, s.train.clip_norm}),
          ema_(s.train.exponential_smoothing), log_(s.train.log_json, s.train.valid_log) {
        schedule_.learn_rate = cfg_.learn_rate;
        schedule_.warmup = cfg_.lr_warmup;
        schedule_.decay_inv_sqrt = cfg_.lr_decay_inv_sqrt;
    }

    int run();

private:
    void prepare();
    bool finished() const;
    bool update();  // false: divergence stop
    void display();
    bool validate_now();  // false: the weights are not finite (nothing validated or saved)
    bool save(const std::string& why);  // false: the weights are not finite (nothing saved)
    bool weights_finite(const char* when);
    int diverged();
    std::unique_ptr<StoredTrainState> open_state(const std::string& path);
    void check_resources();
    void write_checkpoint(const std::string& why, std::vector<float>& adam_m, std::vector<float>& adam_v);
    UpdateInfo optimizer_step(double grad_scale);
    void log_precision() const;
    // training_session_memory.cpp: the memory plan before the first update, --mini-batch-fit's
    // table, and an out-of-memory error that says what to change.
    void plan_memory();
    void fill_fit_table(const TrainingMemorySetting& setting, int64_t workspace);
    [[noreturn]] void out_of_memory(const std::exception& e, const Batch& batch) const;
    // Once, after the first update: the allocator's peak beside the plan of that update's
    // largest micro-batch (the device check compares them on a GPU).
    void report_memory_peak();
    void note_first_batch(const BatchShape& shape);
    // The weights that validation and saved models use, on the host: the model's own buffer
    // on the CPU, else a copy in `host`.
    const float* weights_for_use(std::vector<float>& host) const {
        const FlatView<float> w = ema_ready() ? ema_.values() : model_->params().value;
        if (w.device().kind == DeviceKind::CPU) return w.data();
        host = w.to_vector();
        return host.data();
    }
    const Context& context() const { return model_->context(); }
    double cost_scale() const { return deepnet::cost_scale(cfg_.cost_scaling, state_.progress); }
    // Averaging is on and has started (no update yet, or only skipped ones: not started).
    bool ema_ready() const { return ema_.enabled() && !ema_.values().empty(); }

    TrainerSetup setup_;
    const TrainConfig& cfg_;
    dist::DataParallel& dp_;  // one rank: every hook is a no-op
    std::unique_ptr<TrainingData> data_;  // set in prepare()
    std::unique_ptr<ops::DeviceRuntime> device_;  // before model_: it outlives the model
    std::unique_ptr<Transformer<float>> model_;
    std::unique_ptr<BatchStream> stream_;
    std::unique_ptr<UpdateDiagnostics> diag_;  // --log-update-norms, rank 0 only
    AdamW<float> opt_;
    WeightAverage ema_;
    LrSchedule schedule_;
    TrainLog log_;
    TrainState state_;  // progress + metadata (the buffers are filled only to save)
    Interval interval_;
    double last_lr_ = 0;
    int64_t skipped_in_a_row_ = 0;
    int64_t last_saved_update_ = -1;  // -1: nothing saved by this process
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
    double elapsed_before_ = 0;
    bool memory_reported_ = false;
    BatchShape first_batch_;         // the first update's largest micro-batch (by plan bytes)
    int64_t first_batch_bytes_ = 0;  // its plan, less the runtime's workspace
};

}  // namespace deepnet
