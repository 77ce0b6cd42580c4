// Which directions are trained, decided from the option values alone (no file is read):
// train-sets pairs (source, target) of files, their languages (from train-langs or from
// the file suffix before an optional .gz: train.en.gz -> en), the reversed directions of
// both-directions, and whether sources get a target-language tag <2xx> (lang-tags, or
// forced by several target languages). The vocabulary needs the tags before any corpus
// is tokenised, hence this separate, cheap step.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace deepnet {

// One trained direction. A reversed direction reads the files of its pair swapped.
struct CorpusSpec {
    std::string source_file, target_file;
    std::string source_lang, target_lang;
    int64_t file_pair = 0;  // index of its (source, target) pair in the option list
    bool reversed = false;

    std::string describe() const;  // "a.en -> a.de (en-de)"
};

struct CorpusPlan {
    std::vector<std::pair<std::string, std::string>> file_pairs;  // as listed in the option
    std::vector<CorpusSpec> corpora;   // every pair forward, then (both-directions) reversed
    std::vector<std::string> languages;  // sorted, distinct, sources and targets
    bool use_tags = false;
    std::vector<std::string> tags;     // sorted "<2xx>" of the target languages; empty without tags

    std::vector<std::string> distinct_files() const;  // in listing order, for vocab training
};

// "<2de>" for "de".
std::string language_tag(const std::string& lang);

// "en" for ".../train.en.gz". Throws UserError naming the file when there is no suffix.
std::string language_from_file_name(const std::string& path);

// files: the flat option list (source, target, source, target, ...); langs: "src-tgt" per
// pair, or empty to use the suffixes. option_name ("train-sets", "valid-sets") is used in
// messages. Throws UserError for an empty or odd list or malformed langs.
CorpusPlan plan_corpora(const std::vector<std::string>& files, const std::vector<std::string>& langs,
                        bool both_directions, bool lang_tags,
                        const std::string& option_name = "train-sets");

}  // namespace deepnet
