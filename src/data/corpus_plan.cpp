// Directions, languages and tags of the training corpora (see corpus_plan.h).
#include "src/data/corpus_plan.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "src/core/error.h"

namespace deepnet {
namespace {

bool valid_language(const std::string& lang) {
    if (lang.empty() || lang.size() > 16) return false;
    return std::all_of(lang.begin(), lang.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_';
    });
}

std::pair<std::string, std::string> split_langs(const std::string& pair) {
    const size_t dash = pair.find('-');
    const std::string src = dash == std::string::npos ? "" : pair.substr(0, dash);
    const std::string tgt = dash == std::string::npos ? "" : pair.substr(dash + 1);
    DEEPNET_USER_CHECK(valid_language(src) && valid_language(tgt),
                       "train-langs entry '" << pair << "' is not of the form src-tgt (e.g. en-de; "
                       "letters, digits and _ only)");
    return {src, tgt};
}

}  // namespace

std::string CorpusSpec::describe() const {
    return source_file + " -> " + target_file + " (" + source_lang + "-" + target_lang + ")";
}

std::vector<std::string> CorpusPlan::distinct_files() const {
    std::vector<std::string> out;
    for (const auto& [src, tgt] : file_pairs)
        for (const std::string* f : {&src, &tgt})
            if (std::find(out.begin(), out.end(), *f) == out.end()) out.push_back(*f);
    return out;
}

std::string language_tag(const std::string& lang) { return "<2" + lang + ">"; }

std::string language_from_file_name(const std::string& path) {
    std::string name = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
    if (name.size() > 3 && name.compare(name.size() - 3, 3, ".gz") == 0) name.resize(name.size() - 3);
    const size_t dot = name.rfind('.');
    const std::string lang = dot == std::string::npos ? "" : name.substr(dot + 1);
    DEEPNET_USER_CHECK(dot != std::string::npos && dot > 0 && valid_language(lang),
                       "cannot tell the language of '" << path << "' from its name; name it like "
                       "train.en or train.en.gz, or give train-langs, e.g. [en-de]");
    return lang;
}

CorpusPlan plan_corpora(const std::vector<std::string>& files, const std::vector<std::string>& langs,
                        bool both_directions, bool lang_tags, const std::string& option_name) {
    DEEPNET_USER_CHECK(!files.empty(), option_name << " is empty: give (source, target) file "
                                       "pairs, e.g. " << option_name << ": [corpus.en, corpus.de]");
    DEEPNET_USER_CHECK(files.size() % 2 == 0, option_name << " has " << files.size()
                                              << " files; it needs (source, target) pairs");
    const size_t pairs = files.size() / 2;
    DEEPNET_USER_CHECK(langs.empty() || langs.size() == pairs,
                       "train-langs has " << langs.size() << " entries for " << pairs << " corpora");
    CorpusPlan plan;
    for (size_t p = 0; p < pairs; ++p) {
        CorpusSpec c;
        c.source_file = files[2 * p];
        c.target_file = files[2 * p + 1];
        if (langs.empty()) {
            c.source_lang = language_from_file_name(c.source_file);
            c.target_lang = language_from_file_name(c.target_file);
        } else {
            std::tie(c.source_lang, c.target_lang) = split_langs(langs[p]);
        }
        c.file_pair = int64_t(p);
        plan.file_pairs.emplace_back(c.source_file, c.target_file);
        plan.corpora.push_back(c);
    }
    if (both_directions)
        for (size_t p = 0; p < pairs; ++p) {
            CorpusSpec r = plan.corpora[p];
            std::swap(r.source_file, r.target_file);
            std::swap(r.source_lang, r.target_lang);
            r.reversed = true;
            plan.corpora.push_back(r);
        }
    std::set<std::string> all, targets;
    for (const auto& c : plan.corpora) {
        all.insert(c.source_lang);
        all.insert(c.target_lang);
        targets.insert(c.target_lang);
    }
    plan.languages.assign(all.begin(), all.end());
    // Without a tag a many-target model cannot know which language to produce.
    plan.use_tags = lang_tags || targets.size() > 1;
    if (plan.use_tags)
        for (const auto& t : targets) plan.tags.push_back(language_tag(t));
    return plan;
}

}  // namespace deepnet
