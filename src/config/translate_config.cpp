// Filling TranslateConfig, ScoreConfig and AverageConfig from resolved options (see translate_config.h).
#include "src/config/translate_config.h"

#include "src/core/error.h"

namespace deepnet {
namespace {

DType gemm_precision(const ResolvedOptions& opts) {
    const auto p = opts.get<std::vector<std::string>>("precision");
    if (p.size() != 1)
        throw UserError("--precision: give one type (float32, bfloat16 or float16) for decoding, not " +
                        std::to_string(p.size()));
    return p[0] == "bfloat16" ? DType::BF16 : p[0] == "float16" ? DType::F16 : DType::F32;
}

}  // namespace

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
    t.devices = opts.get<std::vector<int64_t>>("devices");
    t.gemm = gemm_precision(opts);
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
    s.devices = opts.get<std::vector<int64_t>>("devices");
    s.gemm = gemm_precision(opts);
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
