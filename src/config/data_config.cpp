// Filling DataConfig from resolved options (see data_config.h).
#include "src/config/data_config.h"

#include "src/core/error.h"

namespace deepnet {
namespace {

ShuffleMode shuffle_from(const std::string& s) {
    if (s == "data") return ShuffleMode::Data;
    if (s == "batches") return ShuffleMode::Batches;
    DEEPNET_CHECK(s == "none", "shuffle '" << s << "' passed validation");
    return ShuffleMode::None;
}

}  // namespace

DataConfig data_config_from(const ResolvedOptions& opts) {
    DataConfig d;
    d.train_sets = opts.get<std::vector<std::string>>("train-sets");
    d.train_langs = opts.get<std::vector<std::string>>("train-langs");
    d.valid_sets = opts.get<std::vector<std::string>>("valid-sets");
    // check_data_options has made sure that two entries name the same file.
    const auto& vocabs = opts.get<std::vector<std::string>>("vocabs");
    if (!vocabs.empty()) d.vocab_path = vocabs.front();
    d.sentencepiece_max_lines = opts.get<int64_t>("sentencepiece-max-lines");
    d.max_length = opts.get<int64_t>("max-length");
    d.mini_batch = opts.get<int64_t>("mini-batch");
    d.mini_batch_words = opts.get<int64_t>("mini-batch-words");
    d.maxi_batch = opts.get<int64_t>("maxi-batch");
    d.mini_batch_fit = opts.get<bool>("mini-batch-fit");
    d.mini_batch_fit_step = opts.get<int64_t>("mini-batch-fit-step");
    d.shuffle = shuffle_from(opts.get<std::string>("shuffle"));
    d.sampling_temperature = opts.get<double>("sampling-temperature");
    d.both_directions = opts.get<bool>("both-directions");
    d.lang_tags = opts.get<bool>("lang-tags");
    return d;
}

const char* to_string(ShuffleMode mode) {
    switch (mode) {
        case ShuffleMode::Data: return "data";
        case ShuffleMode::Batches: return "batches";
        case ShuffleMode::None: return "none";
    }
    return "?";
}

}  // namespace deepnet
