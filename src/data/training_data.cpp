// One-call data set-up of a training run (see training_data.h).
#include "src/data/training_data.h"

#include "src/core/error.h"

namespace deepnet {
namespace {

// valid-sets take their languages from their names. Where the names do not tell and no
// tags are used, the languages do not matter: they are taken from the (single) training
// direction, which is what such a validation set is for.
CorpusPlan plan_valid(const DataConfig& cfg, const CorpusPlan& train) {
    try {
        return plan_corpora(cfg.valid_sets, {}, false, train.use_tags, "valid-sets");
    } catch (const UserError&) {
        if (train.use_tags) throw;
    }
    const std::string dir = train.corpora[0].source_lang + "-" + train.corpora[0].target_lang;
    return plan_corpora(cfg.valid_sets, std::vector<std::string>(cfg.valid_sets.size() / 2, dir),
                        false, false, "valid-sets");
}

}  // namespace

TrainingData prepare_training_data(const DataConfig& cfg, int64_t vocab_size, uint64_t seed,
                                   int64_t threads, const std::string& stored_vocab) {
    DEEPNET_USER_CHECK(!cfg.train_sets.empty(), "no training data: set train-sets (e.g. --train-sets "
                                                "corpus.en corpus.de)");
    const CorpusPlan plan = plan_corpora(cfg.train_sets, cfg.train_langs, cfg.both_directions,
                                         cfg.lang_tags, "train-sets");
    Vocab vocab = !stored_vocab.empty()
                      ? Vocab::from_serialized(stored_vocab)
                      : Vocab::load_or_train(cfg.vocab_path, plan.distinct_files(), vocab_size,
                                             cfg.sentencepiece_max_lines, seed, plan.tags);
    LoadOptions train_opts;
    train_opts.max_length = cfg.max_length;
    train_opts.threads = threads;
    auto train = std::make_shared<const ParallelData>(load_corpora(plan, vocab, train_opts));
    std::shared_ptr<const ParallelData> valid;
    if (!cfg.valid_sets.empty()) {
        LoadOptions valid_opts;
        valid_opts.skip_empty = false;
        valid_opts.threads = threads;
        valid = std::make_shared<const ParallelData>(load_corpora(plan_valid(cfg, plan), vocab, valid_opts));
    }
    return TrainingData{std::move(vocab), std::move(train), std::move(valid)};
}

std::vector<std::string> describe_stats(const ParallelData& data, int64_t max_length) {
    std::vector<std::string> lines;
    for (const auto& s : data.stats()) {
        std::string line = s.source_file + " -> " + s.target_file + ": " + std::to_string(s.lines) +
                           " lines, " + std::to_string(s.kept) + " kept";
        if (s.empty_skipped > 0) line += ", " + std::to_string(s.empty_skipped) + " empty skipped";
        if (s.too_long_skipped > 0)
            line += ", " + std::to_string(s.too_long_skipped) + " longer than max-length " +
                    std::to_string(max_length) + " skipped";
        lines.push_back(line);
    }
    return lines;
}

}  // namespace deepnet
