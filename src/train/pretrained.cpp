// See pretrained.h.
#include "src/train/pretrained.h"

#include <filesystem>

#include "src/core/atomic_file.h"
#include "src/core/error.h"
#include "src/core/log.h"
#include "src/data/corpus_plan.h"
#include "src/data/vocab.h"
#include "src/train/model_match.h"

namespace deepnet {
namespace {

std::string joined(const std::vector<std::string>& v) {
    std::string out;
    for (const std::string& s : v) out += (out.empty() ? "" : ", ") + s;
    return out;
}

}  // namespace

PretrainedStart load_pretrained(const std::string& path, const ModelConfig& run, const DataConfig& data) {
    PretrainedStart p;
    {
        LoadedModel loaded = load_model_file(path);
        p.config = loaded.config;
        p.meta = std::move(loaded.meta);
        p.weights = loaded.model->params().value.to_vector();
    }  // the loaded model's own copy of the weights is freed here
    check_same_model(p.config, run, "the pretrained model " + path, "give those options");

    // The data's language tags must be pieces of the model's vocabulary: fine-tuning cannot
    // add a target language (its tag would have no embedding).
    const Vocab vocab = Vocab::from_serialized(p.meta.vocab_proto);
    const CorpusPlan plan = plan_corpora(data.train_sets, data.train_langs, data.both_directions, data.lang_tags);
    std::vector<std::string> tagged;
    for (const std::string& lang : p.meta.target_languages)
        if (!lang.empty()) tagged.push_back(lang);
    for (const std::string& tag : plan.tags)
        DEEPNET_USER_CHECK(vocab.has_piece(tag), "the pretrained model " << path << " has no language tag " << tag
                                                     << " in its vocabulary (its target languages: "
                                                     << (tagged.empty() ? "none tagged" : joined(tagged))
                                                     << "); fine-tuning keeps its vocabulary, so a new target "
                                                        "language needs a new model");
    if (!tagged.empty() && !data.lang_tags)
        log::warn("the pretrained model " + path + " was trained with target-language tags (" + joined(tagged) +
                  "); this run's sources have none: give --lang-tags to keep them");
    if (!data.vocab_path.empty() && std::filesystem::is_regular_file(data.vocab_path)) {
        const std::string named = read_file(data.vocab_path);
        if (named != p.meta.vocab_proto)
            log::warn("--vocabs " + data.vocab_path + " is not the pretrained model's vocabulary: it is not used "
                      "(fine-tuning trains with the model's own)");
    }
    log::info("vocabulary: the pretrained model's, " + std::to_string(vocab.size()) +
              " pieces (--vocabs and --dim-vocabs are not used)");
    return p;
}

}  // namespace deepnet
