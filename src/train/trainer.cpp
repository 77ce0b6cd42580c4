// The training loop (see trainer.h): the loop and its set-up; validation and checkpoints: training_session_save.cpp.
#include "src/train/trainer.h"

#include <algorithm>
#include <cmath>
#include <memory>

#include "src/config/model_yaml.h"
#include "src/core/error.h"
#include "src/core/exit_codes.h"
#include "src/core/log.h"
#include "src/core/utf8.h"
#include "src/io/model_file.h"
#include "src/model/model_limits.h"
#include "src/ops/elementwise.h"
#include "src/ops/linear.h"
#include "src/ops/top_k.h"
#include "src/train/checkpoints.h"
#include "src/train/model_match.h"
#include "src/train/pretrained.h"
#include "src/train/signals.h"
#include "src/train/training_device.h"
#include "src/train/training_session.h"

namespace deepnet {

void TrainingSession::prepare() {
    device_ = std::make_unique<ops::DeviceRuntime>(
        training_device(cfg_, dp_.world(), dist::launcher_local_rank(dp_.rank())));
    if (!cfg_.devices.empty()) log::info("training on " + device_->describe());
    dp_.use_device(device_->context().device, device_->context().stream, !device_->emulated());
    if (dp_.active())
        log::info("data parallel: " + std::to_string(dp_.world()) + " rank(s), gradients reduced by " +
                  dp_.buffer_backend());
    for (const std::string& m : cfg_.valid_metrics)  // validation translates on the training device
        if ((m == "bleu" || m == "chrf" || m == "translation") && !setup_.data.valid_sets.empty())
            DEEPNET_USER_CHECK(cfg_.beam_size <= ops::top_k_limit(device_->context().device),
                               "--beam-size " << cfg_.beam_size << " for validation: beams up to "
                                              << ops::top_k_limit(device_->context().device)
                                              << " on a GPU; lower it or validate with cross-entropy only");
    if (cfg_.gemm_type == DType::BF16 && cfg_.devices.empty()) {  // before the data (which may train a vocabulary first)
        const std::string why = ops::bf16_gemm_unavailable_reason();
        DEEPNET_USER_CHECK(why.empty(), "precision bfloat16: " << why << "; use precision: [float32, float32]");
    }
    const std::string state_path = train_state_path(cfg_.model_path);
    std::unique_ptr<StoredTrainState> stored;
    if (!cfg_.no_reload && file_exists(state_path)) {
        log::info("resuming from " + state_path + " (use --no-reload to start afresh)");
        stored = open_state(state_path);
        check_same_model(model_config_from_yaml_text(stored->meta().config_yaml, state_path), setup_.model,
                         "the run saved in " + state_path, "use --no-reload to start afresh, or another --model path");
        if (!cfg_.pretrained_model.empty())
            log::info("--pretrained-model " + cfg_.pretrained_model + " is not used: the run resumes its own weights");
    }
    ModelConfig mcfg = setup_.model;
    DataConfig dcfg = setup_.data;
    // Marian's --pretrained-model: a fresh run only (a resumed run has weights of its own).
    std::unique_ptr<PretrainedStart> pretrained;
    if (!stored && !cfg_.pretrained_model.empty())
        pretrained = std::make_unique<PretrainedStart>(load_pretrained(cfg_.pretrained_model, mcfg, dcfg));
    if (dcfg.vocab_path.empty()) dcfg.vocab_path = cfg_.model_path + ".spm";
    dp_.root_first([&] {  // rank 0 first: it may train and write the vocabulary
        data_ = std::make_unique<TrainingData>(prepare_training_data(dcfg, mcfg.vocab_size, mcfg.seed, 0,
                                      stored       ? stored->meta().vocab_proto
                                      : pretrained ? pretrained->meta.vocab_proto
                                                   : std::string()));
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
    model_->context().precision.gemm = cfg_.gemm_type;
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
    } else if (pretrained) {
        DEEPNET_CHECK(pretrained->weights.size() == model_->params().value.size(),
                      "pretrained layout of " << pretrained->weights.size() << " parameters for a model of "
                                              << model_->params().value.size());
        model_->params().value.assign(pretrained->weights);
        pretrained.reset();
        state_.progress.data_fingerprint = data_->train->fingerprint();
        log_.event("pretrained", 0);
        log::info("weights and vocabulary from the pretrained model " + cfg_.pretrained_model +
                  "; the optimizer and the schedule start afresh");
    } else {
        model_->init_parameters();
        state_.progress.data_fingerprint = data_->train->fingerprint();
    }
    start_cost_scaling(cfg_.cost_scaling, state_.progress);
    log_precision();
    const TrainProgress& p = state_.progress;
    dp_.start(model_->params().value, {p.updates, p.micro_batches, p.epoch, p.batches_in_epoch});
    const AdamConfig adam{cfg_.beta1, cfg_.beta2, cfg_.eps, cfg_.weight_decay, cfg_.clip_norm};
    if (dp_.sharded())
        dp_.init_sharding(moments_m, moments_v, model_->spec().layout.total(), adam);
    else if (stored)
        opt_.set_moments(model_->spec().layout.total(), moments_m, moments_v, context().device);
    if (cfg_.log_update_norms > 0 && dp_.root())
        diag_ = std::make_unique<UpdateDiagnostics>(
            cfg_.log_update_norms, probe_batch(data_->valid ? *data_->valid : *data_->train, model_->config()));
    plan_memory();  // may fill setup_.data's --mini-batch-fit table: before the stream
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
            if (!memory_reported_) note_first_batch({b.B, b.S, b.T});
            const StepRng rng{model_->config().seed, uint64_t(p.micro_batches), true};
            LossStats st;
            try {
                st = model_->forward(b, rng);
                // The rank's last micro-batch: its layers' gradients are final as backward
                // leaves them, so their reduction can start at once.
                const bool last = k + dp_.world() >= micro;
                model_->backward(b, rng, cost_scale(), last ? dp_.overlap_hook(model_->params().grad) : nullptr);
            } catch (const std::exception& e) {
                if (is_out_of_memory(e)) out_of_memory(e, b);
                throw;
            }
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
    const double scale = cost_scale();
    const double grad_scale = 1.0 / (scale * double(tokens));
    const bool measure = diag_ && info.finite && diag_->due(p.updates);
    if (measure) diag_->before_step(model_->params(), model_->spec().layout, grad_scale);
    if (info.finite) info = optimizer_step(grad_scale);
    if (measure && info.finite) log_.record(diag_->after_step(p.updates, *model_));
    const bool scale_came_down = !adjust_cost_scale(cfg_.cost_scaling, p, info.finite);
    if (!info.finite) {
        ++p.skipped_updates;
        if (scale_came_down) {
            log::info("update " + std::to_string(p.updates) + ": NaN/Inf gradient at cost scale " + format_scale(scale) +
                      ", update skipped; cost scale now " + format_scale(p.cost_scale));
            return true;
        }
        ++skipped_in_a_row_;
        log::warn("update " + std::to_string(p.updates) + ": NaN/Inf in the loss or gradient, update skipped (" +
                  std::to_string(skipped_in_a_row_) + " in a row)");
        return skipped_in_a_row_ < cfg_.max_skipped_updates;
    }
    skipped_in_a_row_ = 0;
    ema_.update(context(), model_->params().value);
    report_memory_peak();
    p.target_tokens += tokens;
    interval_.loss += loss;
    interval_.nll += nll;
    interval_.tokens += tokens;
    interval_.sentences += sentences;
    interval_.grad_norm += info.grad_norm;
    ++interval_.updates;
    return true;
}

void TrainingSession::log_precision() const {
    const DType g = cfg_.gemm_type;
    if (g != DType::F32) {
        const std::string engine = !cfg_.devices.empty()       ? "cuBLASLt"
                                   : g == DType::F16           ? "float32 GEMMs of the rounded operands"
                                   : ops::bf16_gemm_uses_amx() ? "AMX"
                                                               : "AVX-512, no AMX: slower than float32";
        log::info(std::string("precision: ") + (g == DType::BF16 ? "bfloat16" : "float16") + " GEMMs (" + engine +
                  "), float32 weights, activations, gradients and optimizer");
    }
    if (g == DType::F16 && !cfg_.cost_scaling.on)
        log::warn("precision float16 without --cost-scaling: small gradients underflow to zero in float16; "
                  "consider --cost-scaling 256 1000 2 1");
    if (cfg_.cost_scaling.on) log::info("cost scaling: " + describe_cost_scaling(cfg_.cost_scaling, state_.progress));
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
    r.cost_scale = cfg_.cost_scaling.on ? p.cost_scale : 0;
    r.tokens_per_second = double(interval_.tokens) / std::max(seconds_since(interval_.start), 1e-9);
    r.elapsed_seconds = elapsed_before_ + seconds_since(start_);
    if (cfg_.after_batches > 0 && interval_.updates > 0)
        r.remaining_seconds = seconds_since(interval_.start) / double(interval_.updates) *
                              double(cfg_.after_batches - p.updates);
    log_.progress(r);
    interval_ = Interval{};
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
            if (interval_.updates > 0) display();  // an interval of skipped updates has no figures
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
