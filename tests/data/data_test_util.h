// Helpers for the data tests: generated parallel text (deterministic, varied lengths,
// some non-ASCII letters), written plain or gzip-compressed into a test's own temp dir,
// and a small vocabulary trained on it.
#pragma once

#include <zlib.h>

#include <string>
#include <vector>

#include "src/data/data_rng.h"
#include "src/data/vocab.h"
#include "tests/config/config_test_util.h"

namespace deepnet::test {

inline const std::vector<std::string>& lexicon(const std::string& lang) {
    static const std::vector<std::string> en = {"a", "man", "woman", "dog", "runs", "in", "the",
        "park", "blue", "shirt", "with", "two", "children", "play", "on", "street", "red", "car"};
    static const std::vector<std::string> de = {"ein", "Mann", "Frau", "Hund", "läuft", "im",
        "Park", "blauen", "Hemd", "mit", "zwei", "Kinder", "spielen", "auf", "Straße", "rotes"};
    static const std::vector<std::string> fr = {"un", "homme", "femme", "chien", "court", "dans",
        "le", "parc", "bleu", "chemise", "avec", "deux", "enfants", "jouent", "sur", "rue", "été"};
    return lang == "de" ? de : lang == "fr" ? fr : en;
}

// n lines of min_words..max_words words from the language's lexicon.
inline std::vector<std::string> make_lines(int64_t n, const std::string& lang, uint64_t seed,
                                           int64_t min_words = 1, int64_t max_words = 12) {
    DataRng rng(seed, 77);
    const auto& words = lexicon(lang);
    std::vector<std::string> lines;
    for (int64_t i = 0; i < n; ++i) {
        const int64_t len = min_words + int64_t(rng.below(uint64_t(max_words - min_words + 1)));
        std::string line;
        for (int64_t w = 0; w < len; ++w)
            line += (w ? " " : "") + words[rng.below(words.size())];
        lines.push_back(line);
    }
    return lines;
}

inline std::string join_lines(const std::vector<std::string>& lines) {
    std::string text;
    for (const auto& l : lines) text += l + "\n";
    return text;
}

inline std::string write_gzip(const TempDir& dir, const std::string& name, const std::string& text) {
    const std::string path = dir.write(name, "");
    gzFile f = gzopen(path.c_str(), "wb");
    gzwrite(f, text.data(), unsigned(text.size()));
    gzclose(f);
    return path;
}

inline std::string write_lines(const TempDir& dir, const std::string& name,
                               const std::vector<std::string>& lines, bool gzip = false) {
    return gzip ? write_gzip(dir, name, join_lines(lines)) : dir.write(name, join_lines(lines));
}

// A 72-piece joint vocabulary over generated en/de/fr text, with the given tags.
inline Vocab small_vocab(const TempDir& dir, const std::vector<std::string>& tags,
                         const std::string& name = "joint.spm") {
    std::vector<std::string> files;
    for (const char* lang : {"en", "de", "fr"})
        files.push_back(write_lines(dir, std::string("vocab_text.") + lang, make_lines(300, lang, 5)));
    return Vocab::train(files, dir.write(name, ""), 72, 0, 1, tags);
}

}  // namespace deepnet::test
