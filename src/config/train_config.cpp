// Typed training options (see train_config.h).
#include "src/config/train_config.h"

#include "src/core/error.h"

namespace deepnet {

TrainConfig train_config_from(const ResolvedOptions& o) {
    TrainConfig t;
    t.model_path = o.get<std::string>("model");
    t.no_reload = o.get<bool>("no-reload");
    t.after_epochs = o.get<int64_t>("after-epochs");
    t.after_batches = o.get<int64_t>("after-batches");
    t.learn_rate = o.get<double>("learn-rate");
    t.lr_warmup = o.get<int64_t>("lr-warmup");
    t.lr_decay_inv_sqrt = o.get<int64_t>("lr-decay-inv-sqrt");
    const auto& p = o.get<std::vector<double>>("optimizer-params");
    DEEPNET_USER_CHECK(p.size() == 3 || p.size() == 4,
                       "optimizer-params " << o.source("optimizer-params").phrase()
                                           << " takes 3 or 4 numbers (beta1 beta2 epsilon [weight decay]), got "
                                           << p.size());
    t.beta1 = p[0];
    t.beta2 = p[1];
    t.eps = p[2];
    t.weight_decay = p.size() == 4 ? p[3] : 0.0;
    DEEPNET_USER_CHECK(t.beta1 >= 0 && t.beta1 < 1 && t.beta2 >= 0 && t.beta2 < 1 && t.eps > 0 &&
                           t.weight_decay >= 0,
                       "optimizer-params " << o.source("optimizer-params").phrase()
                                           << ": need 0 <= beta < 1, epsilon > 0, weight decay >= 0");
    t.clip_norm = o.get<double>("clip-norm");
    t.optimizer_delay = o.get<int64_t>("optimizer-delay");
    const auto& prec = o.get<std::vector<std::string>>("precision");
    DEEPNET_USER_CHECK((prec.size() == 1 || prec.size() == 2) && (prec.size() == 1 || prec[1] == "float32"),
                       "precision " << o.source("precision").phrase()
                                    << " takes the GEMM type (float32 or bfloat16) and optionally the "
                                       "optimizer type, which must be float32 (master weights)");
    t.bf16_matmul = prec[0] == "bfloat16";
    t.exponential_smoothing = o.get<double>("exponential-smoothing");
    t.max_skipped_updates = o.get<int64_t>("max-skipped-updates");
    t.disp_freq = o.get<int64_t>("disp-freq");
    t.save_freq = o.get<int64_t>("save-freq");
    t.keep_checkpoints = o.get<int64_t>("keep-checkpoints");
    t.valid_freq = o.get<int64_t>("valid-freq");
    t.valid_metrics = o.get<std::vector<std::string>>("valid-metrics");
    t.devices = o.get<std::vector<int64_t>>("devices");
    t.early_stopping = o.get<int64_t>("early-stopping");
    t.beam_size = o.get<int64_t>("beam-size");
    t.normalize = o.get<double>("normalize");
    t.valid_mini_batch = o.get<int64_t>("valid-mini-batch");
    t.valid_max_sentences = o.get<int64_t>("valid-max-sentences");
    t.valid_translation_output = o.get<std::string>("valid-translation-output");
    const std::string lj = o.get<std::string>("log-json");
    t.log_json = lj == "none" ? "" : lj.empty() ? t.model_path + ".train.jsonl" : lj;
    t.dist = dist_config_from(o);
    return t;
}

}  // namespace deepnet
