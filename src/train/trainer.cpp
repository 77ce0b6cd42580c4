// The training loop (see trainer.h).
#include "src/train/trainer.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>

#include "src/config/model_yaml.h"
#include "src/core/error.h"
#include "src/core/exit_codes.h"
#include "src/core/log.h"
#include "src/core/utf8.h"
#include "src/io/model_file.h"
#include "src/model/model_limits.h"
#include "src/train/checkpoints.h"
#include "src/train/ema.h"
#include "src/train/training_device.h"
#include "src/train/lr_schedule.h"
#include "src/train/optimizer.h"
#include "src/train/signals.h"
#include "src/data/batch_stream.h"
#include "src/data/training_data.h"
#include "src/dist/data_parallel.h"
#include "src/train/train_log.h"
#include "src/train/train_state.h"
#include "src/train/validator.h"
#include "src/ops/device_runtime.h"
#include "src/ops/elementwise.h"
#include "src/ops/linear.h"

namespace deepnet {
namespace {

bool file_exists(const std::string& p) {
    struct stat st;
    return ::stat(p.c_str(), &st) == 0;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
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
          ema_(s.train.exponential_smoothing), log_(s.train.log_json) {
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
    // The weights that validation and saved models use, on the host: the model's own buffer
    // on the CPU, else a copy in `host`.
    const float* weights_for_use(std::vector<float>& host) const {
        const FlatView<float> w = ema_ready() ? ema_.values() : model_->params().value;
        if (w.device().kind == DeviceKind::CPU) return w.data();
        host = w.to_vector();
        return host.data();
    }
    const Context& context() const { return model_->context(); }
    // Averaging is on and has started (no update yet, or only skipped ones: not started).
    bool ema_ready() const { return ema_.enabled() && !ema_.values().empty(); }

    TrainerSetup setup_;
    const TrainConfig& cfg_;
    dist::DataParallel& dp_;  // one rank: every hook is a no-op
    std::unique_ptr<TrainingData> data_;  // set in prepare()
    std::unique_ptr<ops::DeviceRuntime> device_;  // before model_: it outlives the model
    std::unique_ptr<Transformer<float>> model_;
    std::unique_ptr<BatchStream> stream_;
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
};

// Model options that define the parameter shapes cannot change on resume.
void check_same_model(const ModelConfig& a, const ModelConfig& b, const std::string& path) {
    const bool same = a.enc_depth == b.enc_depth && a.dec_depth == b.dec_depth && a.dim_emb == b.dim_emb &&
                      a.heads == b.heads && a.dim_ffn == b.dim_ffn && a.norm == b.norm &&
                      a.activation == b.activation && a.tied_embeddings == b.tied_embeddings &&
                      a.tied_embeddings_all == b.tied_embeddings_all;
    DEEPNET_USER_CHECK(same, "the model options differ from those of the run saved in " << path
                                 << " (depths, dim-emb, heads, FFN, norm, activation or tied embeddings): "
                                    "use --no-reload to start afresh, or another --model path");
}

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

void TrainingSession::prepare() {
    device_ = std::make_unique<ops::DeviceRuntime>(training_device(cfg_, dp_.world()));
    if (!cfg_.devices.empty()) {
        log::info("training on " + device_->describe());
        for (const std::string& m : cfg_.valid_metrics)
            if (!setup_.data.valid_sets.empty() && (m == "bleu" || m == "chrf")) {
                log::info("valid-metrics " + m + ": the validation set is translated on the CPU (GPU decoding is "
                          "not built yet)");
                break;
            }
    }
    if (cfg_.bf16_matmul && cfg_.devices.empty()) {  // before the data (which may train a vocabulary first)
        const std::string why = ops::bf16_gemm_unavailable_reason();
        DEEPNET_USER_CHECK(why.empty(), "precision bfloat16: " << why << "; use precision: [float32, float32]");
    }
    const std::string state_path = train_state_path(cfg_.model_path);
    std::unique_ptr<StoredTrainState> stored;
    if (!cfg_.no_reload && file_exists(state_path)) {
        log::info("resuming from " + state_path + " (use --no-reload to start afresh)");
        stored = open_state(state_path);
        check_same_model(model_config_from_yaml_text(stored->meta().config_yaml, state_path), setup_.model,
                         state_path);
    }
    ModelConfig mcfg = setup_.model;
    DataConfig dcfg = setup_.data;
    if (dcfg.vocab_path.empty()) dcfg.vocab_path = cfg_.model_path + ".spm";
    dp_.root_first([&] {  // rank 0 first: it may train and write the vocabulary
        data_ = std::make_unique<TrainingData>(prepare_training_data(dcfg, mcfg.vocab_size, mcfg.seed, 0,
                                      stored ? stored->meta().vocab_proto : std::string()));
    });
    for (const std::string& line : describe_stats(*data_->train, dcfg.max_length)) log::info("train " + line);
    if (data_->valid)
        for (const std::string& line : describe_stats(*data_->valid, 0)) log::info("valid " + line);
    mcfg.vocab_size = data_->vocab.size();
    const int64_t state_bytes = checked_mul(declare_model(mcfg).layout.total(),
                                            cfg_.exponential_smoothing > 0 ? 20 : 16, "the training memory");
    check_fits_in_memory(state_bytes, "the weights, gradients and Adam moments of this model",
                         "reduce dim-emb, transformer-dim-ffn, the depths or dim-vocabs");
    if (!cfg_.devices.empty()) check_fits_on_gpu(state_bytes, device_->free_bytes(), device_->describe());
    model_ = std::make_unique<Transformer<float>>(mcfg, ModelUse::Training, device_->context());
    if (dp_.root()) check_resources();  // rank 0 alone writes
    if (cfg_.bf16_matmul) {
        model_->context().precision.gemm = DType::BF16;
        const std::string engine = !cfg_.devices.empty()       ? "cuBLASLt"
                                   : ops::bf16_gemm_uses_amx() ? "AMX"
                                                               : "AVX-512, no AMX: slower than float32";
        log::info("precision: bfloat16 GEMMs (" + engine + "), float32 weights, activations, gradients and optimizer");
    }
    log::info("model: " + std::to_string(model_->spec().layout.count()) + " parameters, " +
              std::to_string(mcfg.enc_depth) + "+" + std::to_string(mcfg.dec_depth) + " layers, " +
              to_string(mcfg.norm) + ", vocabulary " + std::to_string(mcfg.vocab_size));
    state_.meta.config_yaml = setup_.config_yaml;
    state_.meta.vocab_proto = data_->vocab.serialized();
    state_.meta.languages = data_->train->languages();
    if (data_->train->plan().use_tags)
        for (const std::string& tag : data_->train->plan().tags)
            state_.meta.target_languages.push_back(tag.substr(2, tag.size() - 3));  // <2xx> -> xx
    std::vector<float> moments_m, moments_v;  // of a resumed run; empty: zeros
    if (stored) {
        TrainState loaded = stored->load_buffers(model_->spec().layout);
        model_->params().value.assign(loaded.params);
        moments_m = std::move(loaded.adam_m);
        moments_v = std::move(loaded.adam_v);
        opt_.set_steps(loaded.progress.updates - loaded.progress.skipped_updates);
        ema_.load(loaded.ema, context().device);
        state_.progress = loaded.progress;
        DEEPNET_USER_CHECK(loaded.progress.data_fingerprint == 0 ||  // 0: not recorded
                               loaded.progress.data_fingerprint == data_->train->fingerprint(),
                           "the training data (or max-length, vocabulary, languages) changed since "
                               << state_path << " was saved, so its data position is meaningless: "
                               << "restore the data, or use --no-reload to start afresh");
        state_.progress.data_fingerprint = data_->train->fingerprint();
        elapsed_before_ = loaded.progress.elapsed_seconds;
        log_.event("resumed", state_.progress.updates);
        log::info("resumed at update " + std::to_string(state_.progress.updates) + ", epoch " +
                  std::to_string(state_.progress.epoch));
    } else {
        model_->init_parameters();
        state_.progress.data_fingerprint = data_->train->fingerprint();
    }
    const TrainProgress& p = state_.progress;
    dp_.start(model_->params().value, {p.updates, p.micro_batches, p.epoch, p.batches_in_epoch});
    const AdamConfig adam{cfg_.beta1, cfg_.beta2, cfg_.eps, cfg_.weight_decay, cfg_.clip_norm};
    if (dp_.sharded())
        dp_.init_sharding(moments_m, moments_v, model_->spec().layout.total(), adam);
    else if (stored)
        opt_.set_moments(model_->spec().layout.total(), moments_m, moments_v, context().device);
    stream_ = std::make_unique<BatchStream>(data_->train, setup_.data, mcfg.seed,
                                            DataPosition{state_.progress.epoch, state_.progress.batches_in_epoch});
}

bool TrainingSession::finished() const {
    const TrainProgress& p = state_.progress;
    if (cfg_.after_batches > 0 && p.updates >= cfg_.after_batches) return true;
    if (cfg_.after_epochs > 0) {
        const DataPosition pos = stream_->position();  // of the next batch
        if (pos.epoch > cfg_.after_epochs ||
            (pos.epoch == cfg_.after_epochs && pos.batches_in_epoch >= stream_->epoch_batches()))
            return true;
    }
    if (cfg_.early_stopping > 0 && p.stalled >= cfg_.early_stopping) return true;
    return false;
}

bool TrainingSession::update() {
    TrainProgress& p = state_.progress;
    {  // queued on the device's stream (a GPU's memset would wait for the whole device)
        const FlatView<float>& g = model_->params().grad;
        ops::fill(context(), view(g.data(), {int64_t(g.size())}, g.device()), 0.0);
    }
    double loss = 0, nll = 0;
    int64_t tokens = 0, sentences = 0;
    // Every rank walks the whole stream; rank r computes micro-batches r, r + W, ...
    const int64_t micro = cfg_.optimizer_delay * dp_.world();
    for (int64_t k = 0; k < micro; ++k) {
        const BatchPairs pairs = stream_->next();
        if (dp_.mine(k)) {
            const Batch b = make_batch(pairs.sources, pairs.targets, model_->config());
            const StepRng rng{model_->config().seed, uint64_t(p.micro_batches), true};
            const LossStats st = model_->forward(b, rng);
            // The rank's last micro-batch: its layers' gradients are final as backward leaves
            // them, so their reduction can start at once.
            const bool last = k + dp_.world() >= micro;
            model_->backward(b, rng, 1.0, last ? dp_.overlap_hook(model_->params().grad) : nullptr);
            loss += st.loss;
            nll += st.nll;
            tokens += st.tokens;
            sentences += b.B;
        }
        ++p.micro_batches;
    }
    dist::UpdateSums sums{loss, nll, tokens, sentences};
    dp_.reduce(model_->params().grad, sums);  // global sums: every rank applies the same update
    loss = sums.loss, nll = sums.nll, tokens = sums.tokens, sentences = sums.sentences;
    p.epoch = stream_->position().epoch;
    p.batches_in_epoch = stream_->position().batches_in_epoch;
    ++p.updates;
    last_lr_ = schedule_.at(p.updates);
    UpdateInfo info;
    info.finite = std::isfinite(loss);
    if (info.finite) info = optimizer_step(1.0 / double(tokens));
    if (!info.finite) {
        ++p.skipped_updates;
        ++skipped_in_a_row_;
        log::warn("update " + std::to_string(p.updates) + ": NaN/Inf in the loss or gradient, update skipped (" +
                  std::to_string(skipped_in_a_row_) + " in a row)");
        return skipped_in_a_row_ < cfg_.max_skipped_updates;
    }
    skipped_in_a_row_ = 0;
    ema_.update(context(), model_->params().value);
    p.target_tokens += tokens;
    interval_.loss += loss;
    interval_.nll += nll;
    interval_.tokens += tokens;
    interval_.sentences += sentences;
    interval_.grad_norm += info.grad_norm;
    ++interval_.updates;
    return true;
}

UpdateInfo TrainingSession::optimizer_step(double grad_scale) {
    if (!dp_.sharded()) return opt_.step(context(), model_->params(), last_lr_, grad_scale);
    int64_t steps = opt_.steps();
    const UpdateInfo info =
        dp_.sharded_step(model_->params().value, model_->params().grad, last_lr_, grad_scale, steps);
    opt_.set_steps(steps);
    return info;
}

void TrainingSession::display() {
    const TrainProgress& p = state_.progress;
    ProgressRecord r;
    r.epoch = p.epoch;
    r.updates = p.updates;
    r.sentences = interval_.sentences;
    const double tok = double(std::max<int64_t>(interval_.tokens, 1));
    r.loss = interval_.loss / tok;
    r.perplexity = std::exp(interval_.nll / tok);
    r.learn_rate = last_lr_;
    r.grad_norm = interval_.grad_norm / double(std::max<int64_t>(interval_.updates, 1));
    r.tokens_per_second = double(interval_.tokens) / std::max(seconds_since(interval_.start), 1e-9);
    r.elapsed_seconds = elapsed_before_ + seconds_since(start_);
    if (cfg_.after_batches > 0 && interval_.updates > 0)
        r.remaining_seconds = seconds_since(interval_.start) / double(interval_.updates) *
                              double(cfg_.after_batches - p.updates);
    log_.progress(r);
    interval_ = Interval{};
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
        if (improved) {
            p.best[metric] = value;
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
                if (!dir.empty()) log_.valid({p.epoch, p.updates, metric, dir, m.at(metric), m.at(metric), -1});
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

int TrainingSession::run() {
    install_stop_signal_handlers();
    prepare();
    if (finished()) {
        log::info("training already finished at update " + std::to_string(state_.progress.updates) +
                  "; nothing to do (use --no-reload to train afresh)");
        return kExitFinished;
    }
    while (!finished()) {
        if (!update()) {
            log::warn(std::to_string(cfg_.max_skipped_updates) +
                      " updates in a row had NaN/Inf losses or gradients");
            return diverged();
        }
        const int64_t u = state_.progress.updates;
        if (u % cfg_.disp_freq == 0) {
            display();
            if (!weights_finite("after the update")) return diverged();
        }
        if (u % cfg_.valid_freq == 0 && !validate_now()) return diverged();
        if (const int64_t sig = dp_.max_over_ranks(stop_signal()); sig != 0) {  // any rank's signal stops all
            if (!save("stopped by signal " + std::to_string(sig))) return diverged();
            log::info("rerun the same command to resume (exit status " + std::to_string(kExitStoppedBySignal) + ")");
            return kExitStoppedBySignal;
        }
        if (u % cfg_.save_freq == 0 && !save("save-freq")) return diverged();
    }
    if (interval_.updates > 0) display();
    if (state_.progress.updates % cfg_.valid_freq != 0 && !validate_now()) return diverged();
    if (state_.progress.updates % cfg_.save_freq != 0 && !save("training finished")) return diverged();
    log::info("training finished at update " + std::to_string(state_.progress.updates));
    if (!dp_.summary().empty()) log::info("data parallel: " + dp_.summary());
    return kExitFinished;
}

}  // namespace

int run_training(const TrainerSetup& setup) {
    dist::DataParallel dp(setup.train.dist, stop_signal);  // several ranks only under mpirun
    return dp.run_guarded([&] {
        TrainerSetup s = setup;
        if (!dp.root()) {  // rank 0 alone logs
            s.train.log_json.clear();
            log::set_quiet(true);
            log::set_file("");
        }
        // Everything that could fail at the first save fails now, before any work.
        if (const auto bad = find_invalid_utf8(s.config_yaml))
            throw UserError("an option value is not valid UTF-8 (config byte " + std::to_string(*bad) + ")");
        if (dp.root())
            prepare_output_paths(s.train, s.data.vocab_path.empty() ? s.train.model_path + ".spm" : s.data.vocab_path);
        TrainingSession session(s, dp);
        return session.run();
    });
}

}  // namespace deepnet
