// Typed training options (see train_config.h).
#include "src/config/train_config.h"

#include <cmath>
#include <exception>

#include "src/core/error.h"

namespace deepnet {
namespace {

// One --cost-scaling value: a number, with Marian's C-style float suffix allowed ("8.f").
double cost_scaling_number(const ResolvedOptions& o, const std::string& v, const char* what) {
    std::string s = v;
    if (!s.empty() && (s.back() == 'f' || s.back() == 'F')) s.pop_back();
    size_t used = 0;
    double x = 0;
    try {
        x = std::stod(s, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    DEEPNET_USER_CHECK(used == s.size() && used > 0 && std::isfinite(x) && x > 0,
                       "cost-scaling " << o.source("cost-scaling").phrase() << ": the " << what << " '" << v
                                       << "' is not a positive number (Marian's syntax: scale [frequency "
                                          "[multiplier [minimum]]], e.g. 8.f 10000 1.f 8.f)");
    return x;
}

CostScaling cost_scaling_from(const ResolvedOptions& o) {
    const auto& v = o.get<std::vector<std::string>>("cost-scaling");
    CostScaling c;
    if (v.empty()) return c;
    DEEPNET_USER_CHECK(v.size() <= 4, "cost-scaling " << o.source("cost-scaling").phrase()
                                                      << " takes at most 4 values (scale frequency multiplier "
                                                         "minimum), got "
                                                      << v.size());
    c.on = true;
    c.scale = cost_scaling_number(o, v[0], "scale");
    if (v.size() > 1) {
        const double f = cost_scaling_number(o, v[1], "frequency");
        DEEPNET_USER_CHECK(f == std::floor(f) && f <= 1e12, "cost-scaling " << o.source("cost-scaling").phrase()
                                                                            << ": the frequency " << v[1]
                                                                            << " is not a whole number of updates");
        c.frequency = int64_t(f);
    }
    if (v.size() > 2) c.multiplier = cost_scaling_number(o, v[2], "multiplier");
    if (v.size() > 3) c.minimum = cost_scaling_number(o, v[3], "minimum");
    DEEPNET_USER_CHECK(c.multiplier >= 1 && c.scale >= c.minimum && c.scale <= 1e30,
                       "cost-scaling " << o.source("cost-scaling").phrase()
                                       << ": need multiplier >= 1 and minimum <= scale <= 1e30");
    return c;
}

}  // namespace

const std::vector<std::string>& validation_metric_names() {
    static const std::vector<std::string> names{"cross-entropy", "perplexity", "bleu", "chrf", "translation",
                                                "valid-script"};
    return names;
}

std::string validation_metric_list() {
    const auto& n = validation_metric_names();
    std::string out;
    for (size_t i = 0; i < n.size(); ++i) out += (i == 0 ? "" : i + 1 == n.size() ? " or " : ", ") + n[i];
    return out;
}

TrainConfig train_config_from(const ResolvedOptions& o) {
    TrainConfig t;
    t.model_path = o.get<std::string>("model");
    t.no_reload = o.get<bool>("no-reload");
    t.pretrained_model = o.get<std::string>("pretrained-model");
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
                                    << " takes the GEMM type (float32, bfloat16 or float16) and optionally the "
                                       "optimizer type, which must be float32 (master weights)");
    t.gemm_type = prec[0] == "bfloat16" ? DType::BF16 : prec[0] == "float16" ? DType::F16 : DType::F32;
    t.cost_scaling = cost_scaling_from(o);
    t.exponential_smoothing = o.get<double>("exponential-smoothing");
    t.max_skipped_updates = o.get<int64_t>("max-skipped-updates");
    t.disp_freq = o.get<int64_t>("disp-freq");
    t.save_freq = o.get<int64_t>("save-freq");
    t.keep_checkpoints = o.get<int64_t>("keep-checkpoints");
    t.valid_freq = o.get<int64_t>("valid-freq");
    t.valid_metrics = o.get<std::vector<std::string>>("valid-metrics");
    t.devices = o.get<std::vector<int64_t>>("devices");
    t.workspace_mb = o.get<int64_t>("workspace");
    t.dump_memory = o.get<bool>("dump-memory");
    t.early_stopping = o.get<int64_t>("early-stopping");
    t.beam_size = o.get<int64_t>("beam-size");
    t.normalize = o.get<double>("normalize");
    t.valid_mini_batch = o.get<int64_t>("valid-mini-batch");
    t.valid_max_sentences = o.get<int64_t>("valid-max-sentences");
    t.log_update_norms = o.get<int64_t>("log-update-norms");
    t.valid_translation_output = o.get<std::string>("valid-translation-output");
    t.valid_script_path = o.get<std::string>("valid-script-path");
    t.valid_script_args = o.get<std::vector<std::string>>("valid-script-args");
    t.keep_best = o.get<bool>("keep-best");
    t.valid_log = o.get<std::string>("valid-log");
    const std::string lj = o.get<std::string>("log-json");
    t.log_json = lj == "none" ? "" : lj.empty() ? t.model_path + ".train.jsonl" : lj;
    t.dist = dist_config_from(o);
    return t;
}

}  // namespace deepnet
