// Validation, checkpoints and the checks around them of a training session
// (training_session.h).
#include <cmath>

#include "src/core/error.h"
#include "src/core/exit_codes.h"
#include "src/core/log.h"
#include "src/io/model_file.h"
#include "src/model/model_limits.h"
#include "src/train/checkpoints.h"
#include "src/train/signals.h"
#include "src/train/training_session.h"
#include "src/train/validator.h"

namespace deepnet {

// A damaged state is never resumed from; the message names the intact earlier ones.
std::unique_ptr<StoredTrainState> TrainingSession::open_state(const std::string& path) {
    try {
        return std::make_unique<StoredTrainState>(path);
    } catch (const UserError& e) {
        std::string older;
        for (const std::string& s : iteration_states(cfg_.model_path)) older += (older.empty() ? "" : ", ") + s;
        throw UserError(std::string(e.what()) + ". It was not resumed from. " +
                        (older.empty() ? "Use --no-reload to start afresh."
                                       : "Earlier checkpoints: " + older + "; copy one over " + path +
                                             " to resume from it, or use --no-reload to start afresh."));
    }
}

// Disk space for one more checkpoint (the model file and the state with Adam moments and
// the average), checked before the first update rather than at the first save.
void TrainingSession::check_resources() {
    const int64_t total = model_->spec().layout.total();
    const int64_t buffers = 1 + 1 + 2 + (ema_.enabled() ? 1 : 0);  // model file, params, moments, average
    check_free_space(cfg_.model_path, checked_mul(checked_mul(total, 4, "a checkpoint"), buffers, "a checkpoint"),
                     "one checkpoint (model and training state)");
}

bool TrainingSession::weights_finite(const char* when) {
    const int64_t bad = first_non_finite(model_->params().value);
    const int64_t bad_avg = ema_ready() ? first_non_finite(ema_.values()) : -1;
    if (bad < 0 && bad_avg < 0) return true;
    log::warn(std::string("the ") + (bad >= 0 ? "weights" : "averaged weights") + " hold NaN/Inf " + when +
              " at update " + std::to_string(state_.progress.updates) + " (flat element " +
              std::to_string(bad >= 0 ? bad : bad_avg) + ")");
    return false;
}

int TrainingSession::diverged() {
    const std::string last = last_saved_update_ >= 0 ? "update " + std::to_string(last_saved_update_)
                                                     : "the last one written before this run, if any";
    log::warn("stopping: training diverged. Nothing non-finite was saved. The last good checkpoint is intact (" +
              last + "). Lower learn-rate, raise lr-warmup or set clip-norm, then rerun to resume from it.");
    return kExitDiverged;
}

bool TrainingSession::validate_now() {
    if (!data_->valid) return true;
    if (!weights_finite("before validation")) return false;
    TrainProgress& p = state_.progress;
    if (!dp_.root()) {
        dp_.share_from_root(p.stalled);  // early stopping agrees with rank 0
        return true;
    }
    std::vector<float> backup;
    if (ema_ready()) {  // validate the averaged weights
        backup = model_->params().value.to_vector();
        const FlatView<float> average = ema_.values(), value = model_->params().value;  // same layout
        device_copy(value.device(), value.data(), average.device(), average.data(), value.size() * sizeof(float));
    }
    ValidationOptions vo;
    vo.metrics = cfg_.valid_metrics;
    vo.mini_batch = cfg_.valid_mini_batch;
    vo.beam_size = cfg_.beam_size;
    vo.normalize = cfg_.normalize;
    vo.max_sentences = cfg_.valid_max_sentences;
    vo.translation_output = cfg_.valid_translation_output;
    vo.script = ValidScript{cfg_.valid_script_path, cfg_.valid_script_args};
    vo.stop = [] { return stop_requested(); };  // SIGTERM does not wait for a whole validation
    const ValidationScores scores = validate(*model_, *data_->valid, data_->vocab, vo);
    if (ema_ready()) model_->params().value.assign(backup);
    if (scores.empty()) {  // interrupted: not counted, nothing saved
        log::info("validation interrupted by a stop signal");
        dp_.share_from_root(p.stalled);
        return true;
    }
    ++p.validations;
    bool first = true;
    for (const std::string& metric : cfg_.valid_metrics) {
        const double value = scores.at("").at(metric);
        auto best = p.best.find(metric);
        const bool improved = best == p.best.end() || metric_improves(metric, value, best->second);
        if (improved) p.best[metric] = value;
        if (improved && cfg_.keep_best) {
            std::vector<float> host;
            save_model_file(best_model_path(cfg_.model_path, metric), model_->spec(), weights_for_use(host),
                            state_.meta);
        }
        if (first) p.stalled = improved ? 0 : p.stalled + 1;
        // stalled: the early-stopping count for the first metric; -1 (not applicable) otherwise.
        log_.valid({p.epoch, p.updates, metric, "", value, p.best[metric],
                    first ? p.stalled : (improved ? 0 : -1)});
        if (scores.size() > 2)  // several directions: each one too
            for (const auto& [dir, m] : scores)
                if (!dir.empty() && m.count(metric))  // the script metrics cover all directions only
                    log_.valid({p.epoch, p.updates, metric, dir, m.at(metric), m.at(metric), -1});
        first = false;
    }
    dp_.share_from_root(p.stalled);
    return true;
}

// Rank 0 writes; with optimizer-sharding the moments are gathered to it first.
bool TrainingSession::save(const std::string& why) {
    if (!weights_finite("before saving")) return false;
    std::vector<float> m, v;
    if (dp_.sharded()) dp_.gather_moments(m, v);
    else dp_.check_same(model_->params().value);
    if (dp_.root()) write_checkpoint(why, m, v);
    dp_.wait_for_root();
    last_saved_update_ = state_.progress.updates;
    return true;
}

void TrainingSession::write_checkpoint(const std::string& why, std::vector<float>& adam_m,
                                       std::vector<float>& adam_v) {
    state_.progress.elapsed_seconds = elapsed_before_ + seconds_since(start_);
    std::vector<float> host;
    save_model_file(cfg_.model_path, model_->spec(), weights_for_use(host), state_.meta);
    state_.params = model_->params().value.to_vector();
    state_.adam_m = dp_.sharded() ? std::move(adam_m) : opt_.m().to_vector();
    state_.adam_v = dp_.sharded() ? std::move(adam_v) : opt_.v().to_vector();
    state_.ema = ema_.values().to_vector();
    save_train_state(train_state_path(cfg_.model_path), model_->spec().layout, state_);
    keep_last_checkpoints(cfg_.model_path, state_.progress.updates, cfg_.keep_checkpoints);
    state_.params.clear();
    state_.adam_m.clear();
    state_.adam_v.clear();
    state_.ema.clear();
    log_.event("saved", state_.progress.updates);
    log::info("saved " + cfg_.model_path + " and its training state at update " +
              std::to_string(state_.progress.updates) + " (" + why + ")");
}

}  // namespace deepnet
