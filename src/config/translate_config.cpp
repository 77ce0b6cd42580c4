// Filling TranslateConfig, ScoreConfig and AverageConfig from resolved options (see translate_config.h).
#include "src/config/translate_config.h"

namespace deepnet {

TranslateConfig translate_config_from(const ResolvedOptions& opts) {
    TranslateConfig t;
    t.model = opts.get<std::string>("model");
    t.input = opts.get<std::string>("input");
    t.output = opts.get<std::string>("output");
    t.beam_size = opts.get<int64_t>("beam-size");
    t.normalize = opts.get<double>("normalize");
    t.max_length_factor = opts.get<double>("max-length-factor");
    t.max_length = opts.get<int64_t>("max-length");
    t.max_length_crop = opts.get<bool>("max-length-crop");
    t.mini_batch = opts.get<int64_t>("mini-batch");
    t.maxi_batch = opts.get<int64_t>("maxi-batch");
    t.n_best = opts.get<bool>("n-best");
    t.target_lang = opts.get<std::string>("target-lang");
    t.allow_unk = opts.get<bool>("allow-unk");
    return t;
}

ScoreConfig score_config_from(const ResolvedOptions& opts) {
    ScoreConfig s;
    s.model = opts.get<std::string>("model");
    s.train_sets = opts.get<std::vector<std::string>>("train-sets");
    s.output = opts.get<std::string>("output");
    s.normalize = opts.get<bool>("normalize");
    s.max_length = opts.get<int64_t>("max-length");
    s.max_length_crop = opts.get<bool>("max-length-crop");
    s.mini_batch = opts.get<int64_t>("mini-batch");
    s.maxi_batch = opts.get<int64_t>("maxi-batch");
    s.target_lang = opts.get<std::string>("target-lang");
    return s;
}

AverageConfig average_config_from(const ResolvedOptions& opts) {
    AverageConfig a;
    a.models = opts.get<std::vector<std::string>>("model");
    a.output = opts.get<std::string>("output");
    a.last = opts.get<int64_t>("last");
    a.best = opts.get<int64_t>("best");
    a.valid_metric = opts.get<std::string>("valid-metric");
    a.log_json = opts.get<std::string>("log-json");
    return a;
}

}  // namespace deepnet
