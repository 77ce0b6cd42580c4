// Vocabulary + corpora set-up (see train_data.h).
#include "src/train/train_data.h"

#include "src/core/error.h"
#include "src/core/log.h"
#include "src/data/corpus_plan.h"

namespace deepnet {
namespace {

void log_stats(const ParallelData& d, const char* what) {
    for (const CorpusStats& s : d.stats()) {
        log::info(std::string(what) + " " + s.source_file + " / " + s.target_file + ": " +
                  std::to_string(s.kept) + " pairs kept of " + std::to_string(s.lines) + " (" +
                  std::to_string(s.empty_skipped) + " empty, " + std::to_string(s.too_long_skipped) +
                  " longer than max-length skipped)");
    }
}

}  // namespace

TrainData load_train_data(const DataConfig& cfg, const std::string& default_vocab_path,
                          int64_t vocab_size, uint64_t seed, const std::string& vocab_proto) {
    DEEPNET_USER_CHECK(!cfg.train_sets.empty(), "no training data: set train-sets (e.g. --train-sets "
                                                "corpus.en corpus.de)");
    const CorpusPlan plan = plan_corpora(cfg.train_sets, cfg.train_langs, cfg.both_directions, cfg.lang_tags);
    TrainData d;
    const std::string vocab_path = cfg.vocab_path.empty() ? default_vocab_path : cfg.vocab_path;
    if (!vocab_proto.empty()) {
        d.vocab = std::make_unique<Vocab>(Vocab::from_serialized(vocab_proto));
    } else {
        d.vocab = std::make_unique<Vocab>(Vocab::load_or_train(vocab_path, plan.distinct_files(), vocab_size,
                                                               cfg.sentencepiece_max_lines, seed, plan.tags));
    }
    LoadOptions lo;
    lo.max_length = cfg.max_length;
    d.train = std::make_shared<const ParallelData>(load_corpora(plan, *d.vocab, lo));
    log_stats(*d.train, "train");
    d.languages = plan.languages;
    if (plan.use_tags)
        for (const auto& c : plan.corpora) {
            bool seen = false;
            for (const auto& t : d.target_languages) seen = seen || t == c.target_lang;
            if (!seen) d.target_languages.push_back(c.target_lang);
        }
    if (!cfg.valid_sets.empty()) {
        // Validation directions mirror training: same tags, never reversed implicitly.
        const CorpusPlan vplan = plan_corpora(cfg.valid_sets, {}, false, plan.use_tags, "valid-sets");
        LoadOptions vo;
        vo.skip_empty = false;
        d.valid = std::make_shared<const ParallelData>(load_corpora(vplan, *d.vocab, vo));
        log_stats(*d.valid, "valid");
    }
    return d;
}

}  // namespace deepnet
