// Group "Data": training and validation corpora, the joint SentencePiece vocabulary,
// batching, sampling across corpora and language tags (Marian names and meanings where
// Marian has the option), with the group's cross-field checks. One row per option.
#include <filesystem>

#include "src/config/option_groups.h"
#include "src/config/resolved_options.h"
#include "src/core/error.h"

namespace deepnet {

OptionGroup data_options() {
    return {"Data", {
        string_list_option("train-sets", {}, "Training corpora as consecutive (source, target) "
                           "file pairs, plain or gzip: [a.en, a.de, b.en, b.fr, ...]").alias('t').metavar("FILE"),
        string_list_option("train-langs", {}, "Language pair of each corpus, e.g. [en-de, en-fr]; "
                           "empty = from the file suffixes (train.en.gz -> en)"),
        string_list_option("vocabs", {}, "Joint SentencePiece model, given once or twice "
                           "([joint.spm, joint.spm]); trained and saved there if it does not exist")
            .alias('v').metavar("FILE"),
        int_option("sentencepiece-max-lines", 2000000, "Lines sampled (with the seed) to train "
                   "the vocabulary; 0 = all lines").at_least(0),
        int_option("max-length", 100, "Skip training pairs with more tokens than this on either "
                   "side").range(1, int64_t(1) << 20),
        int_option("mini-batch", 0, "At most this many sentences per batch; 0 = no cap").at_least(0),
        int_option("mini-batch-words", 4096, "At most this many padded target tokens per batch")
            .at_least(1),
        bool_option("mini-batch-fit", false, "Size batches to fill the --workspace instead of by "
                    "--mini-batch-words: the largest batch per length (in steps of mini-batch-fit-step "
                    "tokens), from the memory plan and a measurement on the device at start-up (Marian's)"),
        int_option("mini-batch-fit-step", 10, "Length step of the --mini-batch-fit table, in tokens")
            .range(1, int64_t(1) << 16),
        int_option("maxi-batch", 100, "Sort pools of this many average batches by length before "
                   "cutting them into batches").at_least(1),
        string_option("shuffle", "data", "Each epoch: data = shuffle pairs and batches; batches = "
                      "shuffle batches only; none = no shuffling").one_of({"data", "batches", "none"}),
        double_option("sampling-temperature", 5, "Temperature T across corpora: corpus i gets "
                      "p_i ~ (n_i/N)^(1/T) of each epoch; 1 = proportional to size").above(0),
        bool_option("both-directions", false, "Also train every corpus in the reverse direction"),
        bool_option("lang-tags", false, "Prepend the target-language tag <2xx> to every source "
                    "(always on with several target languages)"),
        string_list_option("valid-sets", {}, "Validation corpora, paired like train-sets")
            .metavar("FILE"),
    }};
}

namespace {

void check_pairs(const ResolvedOptions& opts, const char* name) {
    const auto& files = opts.get<std::vector<std::string>>(name);
    DEEPNET_USER_CHECK(files.size() % 2 == 0,
                       name << " (" << opts.where(name) << ") has " << files.size()
                            << " files; it needs (source, target) pairs, e.g. [corpus.en, corpus.de]");
}

// "./a.spm" and "a.spm" are one file; weakly_canonical also works for a file not yet trained.
bool same_file(const std::string& a, const std::string& b) {
    namespace fs = std::filesystem;
    auto resolve = [](const std::string& p, std::error_code& ec) {
        const fs::path abs = fs::absolute(p, ec);
        return ec ? abs : fs::weakly_canonical(abs, ec);
    };
    std::error_code ea, eb;
    const fs::path ca = resolve(a, ea), cb = resolve(b, eb);
    return (ea || eb) ? a == b : ca == cb;
}

void check_vocabs(const ResolvedOptions& opts) {
    const auto& v = opts.get<std::vector<std::string>>("vocabs");
    DEEPNET_USER_CHECK(v.size() <= 2, "vocabs (" << opts.where("vocabs") << ") has " << v.size()
                                                 << " files; give one joint vocabulary, once or twice");
    DEEPNET_USER_CHECK(v.size() < 2 || same_file(v[0], v[1]),
                       "vocabs (" << opts.where("vocabs") << ") names two different files, " << v[0]
                                  << " and " << v[1] << "; only a joint vocabulary is supported: "
                                  "give the same file twice, e.g. vocabs: [joint.spm, joint.spm]");
}

void check_langs(const ResolvedOptions& opts) {
    const auto& langs = opts.get<std::vector<std::string>>("train-langs");
    if (langs.empty()) return;
    const size_t corpora = opts.get<std::vector<std::string>>("train-sets").size() / 2;
    DEEPNET_USER_CHECK(langs.size() == corpora,
                       "train-langs (" << opts.where("train-langs") << ") has " << langs.size()
                                       << " entries but train-sets has " << corpora
                                       << " corpora; give one src-tgt pair per corpus");
    for (const auto& l : langs) {
        const size_t dash = l.find('-');
        const bool ok = dash != std::string::npos && dash > 0 && dash + 1 < l.size() &&
                        l.find('-', dash + 1) == std::string::npos &&
                        l.find_first_of(" \t<>,") == std::string::npos;
        DEEPNET_USER_CHECK(ok, "train-langs entry '" << l << "' (" << opts.where("train-langs")
                                                     << ") is not of the form src-tgt, e.g. en-de");
    }
}

}  // namespace

void check_data_options(const ResolvedOptions& opts, std::vector<std::string>& /*warnings*/) {
    check_pairs(opts, "train-sets");
    check_pairs(opts, "valid-sets");
    check_vocabs(opts);
    check_langs(opts);
}

}  // namespace deepnet
