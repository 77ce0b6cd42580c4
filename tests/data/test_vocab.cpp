// SentencePiece vocabulary: special ids 0-3, a language tag is one token, text round trip,
// save/load/serialize give the same model, training is deterministic for a seed (also with
// sentence sampling), load_or_train trains once then loads, and the UserErrors.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>

#include "src/core/atomic_file.h"
#include "src/data/vocab.h"
#include "tests/data/data_test_util.h"

using namespace deepnet;
using deepnet::test::make_lines;
using deepnet::test::TempDir;
using deepnet::test::user_error;
using deepnet::test::write_lines;
using Catch::Matchers::Contains;

namespace {

// A path in `dir` where no file exists yet.
std::string fresh_path(const TempDir& dir, const std::string& name) {
    const std::string p = dir.write(name, "");
    std::remove(p.c_str());
    return p;
}

std::vector<std::string> random_word_lines(uint64_t seed, int n, char first, char last) {
    DataRng rng(seed, 0);
    std::vector<std::string> lines;
    for (int i = 0; i < n; ++i) {
        std::string line;
        for (int w = 0; w < 6; ++w) {
            line += w ? " " : "";
            for (int c = 0; c < 5; ++c) line += char(first + rng.below(uint64_t(last - first + 1)));
        }
        lines.push_back(line);
    }
    return lines;
}

std::vector<std::string> pieces(const Vocab& v) {
    std::vector<std::string> out;
    for (int64_t i = 0; i < v.size(); ++i) out.push_back(v.piece(i));
    return out;
}

}  // namespace

TEST_CASE("trained vocabulary: ids, tags, round trip, save/load/serialize", "[data]") {
    TempDir dir;
    const std::string en = write_lines(dir, "train.en", make_lines(300, "en", 1));
    const std::string de = write_lines(dir, "train.de.gz", make_lines(300, "de", 2), true);
    const std::string path = fresh_path(dir, "joint.spm");
    const Vocab v = Vocab::train({en, de}, path, 64, 0, 7, {"<2de>", "<2en>"});

    CHECK(v.size() == 64);
    CHECK(v.id_of("<pad>") == 0);
    CHECK(v.id_of("<unk>") == 1);
    CHECK(v.id_of("<s>") == 2);
    CHECK(v.id_of("</s>") == 3);
    CHECK(v.id_of("no-such-piece") == -1);
    CHECK_FALSE(v.has_piece("no-such-piece"));
    const int64_t tag = v.id_of("<2de>");
    CHECK(tag >= 4);
    CHECK(v.has_piece("<2en>"));
    // A user-defined symbol is matched as a whole inside text, never split.
    const std::vector<int64_t> ids = v.encode("<2de>Mann");
    CHECK(std::count(ids.begin(), ids.end(), tag) == 1);

    for (const std::string& s : {std::string("ein Mann läuft im Park"), std::string("a dog runs")}) {
        const std::vector<int64_t> e = v.encode(s);
        CHECK_FALSE(e.empty());
        CHECK(v.decode(e) == s);
        std::vector<int64_t> with_specials = {2};
        with_specials.insert(with_specials.end(), e.begin(), e.end());
        with_specials.push_back(3);
        with_specials.push_back(0);
        CHECK(v.decode(with_specials) == s);  // <s>, </s>, <pad> decode to nothing
    }

    const Vocab loaded = Vocab::load(path);
    const bool loaded_same = loaded.serialized() == v.serialized();
    const bool file_same = read_file(path) == v.serialized();
    CHECK(loaded_same);
    CHECK(file_same);
    const Vocab copy = Vocab::from_serialized(v.serialized());
    CHECK(copy.size() == 64);
    CHECK(copy.encode("zwei Kinder spielen") == v.encode("zwei Kinder spielen"));
    // Atomic save: nothing but the inputs and the model in the directory.
    int64_t files = 0;
    for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(path).parent_path())) {
        CHECK(e.path().string().find(".tmp.") == std::string::npos);
        ++files;
    }
    CHECK(files == 3);
}

TEST_CASE("vocabulary training is deterministic for a seed, also when sampling", "[data]") {
    TempDir dir;
    // Words of random letters, so which lines are sampled decides which pieces are learnt.
    const std::string text = write_lines(dir, "t.xx", random_word_lines(9, 1200, 'a', 'z'));
    // max_sentences 200 < 1200 lines: a sample drawn with the seed.
    const auto a = pieces(Vocab::train({text}, fresh_path(dir, "a.spm"), 200, 200, 42, {}));
    const auto b = pieces(Vocab::train({text}, fresh_path(dir, "b.spm"), 200, 200, 42, {}));
    const auto c = pieces(Vocab::train({text}, fresh_path(dir, "c.spm"), 200, 200, 43, {}));
    const auto all = pieces(Vocab::train({text}, fresh_path(dir, "all.spm"), 200, 0, 42, {}));
    CHECK(a.size() == 200);
    const bool same_seed_same_pieces = a == b;
    const bool other_seed_other_pieces = a != c;
    const bool sample_differs_from_all = a != all;
    CHECK(same_seed_same_pieces);
    CHECK(other_seed_other_pieces);
    CHECK(sample_differs_from_all);
}

TEST_CASE("the vocabulary sample is drawn from every file, not from the last lines", "[data]") {
    TempDir dir;
    // The first file uses only letters a-m, the second only n-z.
    const std::string first = write_lines(dir, "a.xx", random_word_lines(1, 600, 'a', 'm'));
    const std::string second = write_lines(dir, "b.yy", random_word_lines(2, 600, 'n', 'z'));
    const Vocab v = Vocab::train({first, second}, fresh_path(dir, "j.spm"), 120, 300, 5, {});
    // character_coverage 1.0: every letter of the sample is a piece.
    for (const char* letter : {"a", "m", "n", "z"}) {
        INFO("letter " << letter);
        CHECK((v.has_piece(letter) || v.has_piece(std::string("\xE2\x96\x81") + letter)));
    }
}

TEST_CASE("load_or_train trains a missing vocabulary once, then loads it", "[data]") {
    TempDir dir;
    const std::string en = write_lines(dir, "t.en", make_lines(300, "en", 1));
    const std::string de = write_lines(dir, "t.de", make_lines(300, "de", 2));
    const std::string path = fresh_path(dir, "joint.spm");
    const Vocab first = Vocab::load_or_train(path, {en, de}, 64, 0, 1, {"<2de>"});
    REQUIRE(std::filesystem::exists(path));
    CHECK(first.size() == 64);
    // Another size would give another model if it were trained again: it must be loaded.
    const Vocab second = Vocab::load_or_train(path, {en, de}, 80, 0, 1, {"<2de>"});
    CHECK(second.size() == 64);
    const bool same_model = second.serialized() == first.serialized();
    CHECK(same_model);
    CHECK_THAT(user_error([&] { Vocab::load_or_train(path, {en, de}, 64, 0, 1, {"<2de>", "<2fr>"}); }),
               Contains("has no piece <2fr>"));
    CHECK_THAT(user_error([&] { Vocab::load_or_train("", {en, de}, 64, 0, 1, {}); }),
               Contains("set vocabs"));
}

TEST_CASE("unusable vocabularies and training input are UserErrors", "[data]") {
    TempDir dir;
    const std::string junk = dir.write("junk.spm", "this is not a model");
    CHECK_THAT(user_error([&] { Vocab::load(junk); }), Contains("not a SentencePiece model"));
    CHECK_THAT(user_error([&] { Vocab::load(dir.write("empty.spm", "")); }), Contains("is empty"));
    CHECK_THAT(user_error([&] { Vocab::from_serialized(""); }), Contains("is empty"));
    CHECK_THAT(user_error([&] { Vocab::load(fresh_path(dir, "missing.spm")); }),
               Contains("missing.spm"));

    const std::string en = write_lines(dir, "t.en", make_lines(50, "en", 1));
    CHECK_THAT(user_error([&] { Vocab::train({en}, fresh_path(dir, "big.spm"), 5000, 0, 1, {}); }),
               Contains("lower dim-vocabs"));
    const std::string bad = dir.write("bad.en", "fine\nbroken \xC3(\n");
    CHECK_THAT(user_error([&] { Vocab::train({en, bad}, fresh_path(dir, "x.spm"), 64, 0, 1, {}); }),
               Contains(bad + ":2: invalid UTF-8"));
    CHECK_THAT(user_error([&] { Vocab::train({en}, fresh_path(dir, "y.spm"), 5, 0, 1, {"<2de>"}); }),
               Contains("too small"));
}
