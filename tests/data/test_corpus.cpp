// Corpora: directions and languages from train-sets/train-langs, tags forced by several
// target languages, the load errors (line counts, missing file, invalid UTF-8) naming
// files and lines, skip counts for empty and too-long pairs, tag insertion, reversed
// directions, and the one-call set-up of a run (prepare_training_data).
#include <catch2/catch.hpp>

#include "src/data/corpus.h"
#include "src/data/training_data.h"
#include "tests/data/data_test_util.h"

using namespace deepnet;
using deepnet::test::make_lines;
using deepnet::test::TempDir;
using deepnet::test::user_error;
using deepnet::test::write_lines;
using Catch::Matchers::Contains;

namespace {

std::vector<int64_t> tail(const std::vector<int64_t>& v) { return {v.begin() + 1, v.end()}; }

}  // namespace

TEST_CASE("plan: languages from suffixes or train-langs, both directions, tags", "[data]") {
    const CorpusPlan one = plan_corpora({"d/train.en.gz", "d/train.de"}, {}, false, false);
    REQUIRE(one.corpora.size() == 1);
    CHECK(one.corpora[0].source_lang == "en");
    CHECK(one.corpora[0].target_lang == "de");
    CHECK_FALSE(one.use_tags);
    CHECK(one.tags.empty());
    CHECK(one.languages == std::vector<std::string>{"de", "en"});

    const CorpusPlan forced = plan_corpora({"d/train.en.gz", "d/train.de"}, {}, false, true);
    CHECK(forced.use_tags);
    CHECK(forced.tags == std::vector<std::string>{"<2de>"});

    const CorpusPlan multi = plan_corpora({"a.en", "a.de", "b.en", "b.fr"}, {}, false, false);
    CHECK(multi.use_tags);  // two target languages
    CHECK(multi.tags == std::vector<std::string>{"<2de>", "<2fr>"});
    CHECK(multi.distinct_files() == std::vector<std::string>{"a.en", "a.de", "b.en", "b.fr"});

    const CorpusPlan both = plan_corpora({"x.txt", "y.txt"}, {"en-de"}, true, false);
    REQUIRE(both.corpora.size() == 2);
    CHECK(both.corpora[1].reversed);
    CHECK(both.corpora[1].source_file == "y.txt");
    CHECK(both.corpora[1].source_lang == "de");
    CHECK(both.corpora[1].target_lang == "en");
    CHECK(both.use_tags);  // en and de are both targets now
    CHECK(both.tags == std::vector<std::string>{"<2de>", "<2en>"});

    CHECK_THAT(user_error([] { plan_corpora({"corpus", "corpus2"}, {}, false, false); }),
               Contains("cannot tell the language of 'corpus'"));
    CHECK_THAT(user_error([] { plan_corpora({"a.en", "a.de", "b.en"}, {}, false, false); }),
               Contains("has 3 files"));
    CHECK_THAT(user_error([] { plan_corpora({}, {}, false, false); }), Contains("train-sets is empty"));
    CHECK_THAT(user_error([] { plan_corpora({"a.en", "a.de"}, {"ende"}, false, false); }),
               Contains("not of the form src-tgt"));
}

TEST_CASE("load errors name the files, lines and both line counts", "[data]") {
    TempDir dir;
    const Vocab vocab = deepnet::test::small_vocab(dir, {});
    const std::string en = write_lines(dir, "a.en", make_lines(7, "en", 1));
    const std::string de = write_lines(dir, "a.de.gz", make_lines(6, "de", 2), true);
    const std::string msg = user_error([&] {
        load_corpora(plan_corpora({en, de}, {}, false, false), vocab, LoadOptions{});
    });
    CHECK_THAT(msg, Contains(en + " has 7 lines but " + de + " has 6"));
    // The longer file may also be the target.
    const std::string msg2 = user_error([&] {
        load_corpora(plan_corpora({de, en}, {"de-en"}, false, false), vocab, LoadOptions{});
    });
    CHECK_THAT(msg2, Contains(en + " has 7 lines but " + de + " has 6"));

    const std::string missing = dir.write("m", "") + ".gone.de";
    CHECK_THAT(user_error([&] {
                   load_corpora(plan_corpora({en, missing}, {}, false, false), vocab, LoadOptions{});
               }),
               Contains("cannot open '" + missing + "'"));

    const std::string bad = dir.write("bad.de", "ok\nok\nok\nok\n\xFF kaputt\nok\nok\n");
    CHECK_THAT(user_error([&] {
                   load_corpora(plan_corpora({en, bad}, {}, false, false), vocab, LoadOptions{});
               }),
               Contains(bad + ":5: invalid UTF-8 (byte offset 0)"));
}

TEST_CASE("empty and too-long pairs are skipped and counted per corpus", "[data]") {
    TempDir dir;
    const Vocab vocab = deepnet::test::small_vocab(dir, {});
    std::vector<std::string> en = make_lines(20, "en", 3, 1, 5);
    std::vector<std::string> de = make_lines(20, "de", 4, 1, 5);
    en[2] = "";                          // empty source
    de[5] = "   ";                       // target with no tokens
    en[9] = make_lines(1, "en", 9, 60, 60)[0];  // far longer than max-length 30
    LoadOptions opt;
    opt.max_length = 30;
    const ParallelData data = load_corpora(
        plan_corpora({write_lines(dir, "c.en", en), write_lines(dir, "c.de", de)}, {}, false, false),
        vocab, opt);
    REQUIRE(data.stats().size() == 1);
    const CorpusStats& s = data.stats()[0];
    CHECK(s.lines == 20);
    CHECK(s.empty_skipped == 2);
    CHECK(s.too_long_skipped == 1);
    CHECK(s.kept == 17);
    CHECK(data.total_pairs() == 17);
    // Kept pairs are the remaining lines, in order: pair 2 is line 3 (line 2 was empty).
    CHECK(data.source(2) == vocab.encode(en[3]));
    CHECK(data.target(2) == vocab.encode(de[3]));
    for (int64_t p = 0; p < data.total_pairs(); ++p) {
        CHECK(data.source_length(p) <= 30);
        CHECK(data.target_length(p) >= 1);
    }

    LoadOptions keep;
    keep.skip_empty = false;
    const ParallelData all = load_corpora(
        plan_corpora({dir.write("v.en", "one\n\nthree\n"), dir.write("v.de", "eins\nzwei\n\n")}, {},
                     false, false),
        vocab, keep);
    CHECK(all.total_pairs() == 3);
    CHECK(all.source(1).empty());
    CHECK(all.target(2).empty());
}

TEST_CASE("several target languages: every source starts with its target tag", "[data]") {
    TempDir dir;
    const Vocab vocab = deepnet::test::small_vocab(dir, {"<2de>", "<2en>", "<2fr>"});
    const auto en1 = make_lines(10, "en", 1), de = make_lines(10, "de", 2);
    const auto en2 = make_lines(6, "en", 3), fr = make_lines(6, "fr", 4);
    const CorpusPlan plan = plan_corpora({write_lines(dir, "a.en", en1), write_lines(dir, "a.de", de),
                                          write_lines(dir, "b.en", en2), write_lines(dir, "b.fr", fr)},
                                         {}, false, false);
    const ParallelData data = load_corpora(plan, vocab, LoadOptions{});
    REQUIRE(data.num_corpora() == 2);
    CHECK(data.corpus_size(0) == 10);
    CHECK(data.corpus_size(1) == 6);
    CHECK(data.languages() == std::vector<std::string>{"de", "en", "fr"});
    const int64_t to_de = vocab.id_of("<2de>"), to_fr = vocab.id_of("<2fr>");
    for (int64_t p = 0; p < 10; ++p) {
        const auto src = data.source(p);
        REQUIRE_FALSE(src.empty());
        CHECK(src[0] == to_de);
        CHECK(tail(src) == vocab.encode(en1[size_t(p)]));
        CHECK(data.source_length(p) == int64_t(src.size()));
        CHECK(data.target(p) == vocab.encode(de[size_t(p)]));  // targets carry no tag
    }
    for (int64_t p = 10; p < 16; ++p) {
        CHECK(data.source(p)[0] == to_fr);
        CHECK(data.corpus_of(p) == 1);
    }

    // A vocabulary without the tags cannot serve this plan.
    TempDir other;
    const Vocab plain = deepnet::test::small_vocab(other, {});
    CHECK_THAT(user_error([&] { load_corpora(plan, plain, LoadOptions{}); }),
               Contains("has no piece <2de>"));
}

TEST_CASE("both-directions adds the reversed pairs with the other tag", "[data]") {
    TempDir dir;
    const Vocab vocab = deepnet::test::small_vocab(dir, {"<2de>", "<2en>"});
    const auto en = make_lines(8, "en", 1), de = make_lines(8, "de", 2);
    const ParallelData data = load_corpora(
        plan_corpora({write_lines(dir, "a.en", en), write_lines(dir, "a.de", de)}, {}, true, false),
        vocab, LoadOptions{});
    REQUIRE(data.num_corpora() == 2);
    REQUIRE(data.total_pairs() == 16);
    for (int64_t p = 0; p < 8; ++p) {
        CHECK(data.source(p)[0] == vocab.id_of("<2de>"));
        CHECK(data.source(8 + p)[0] == vocab.id_of("<2en>"));
        CHECK(tail(data.source(8 + p)) == data.target(p));
        CHECK(data.target(8 + p) == tail(data.source(p)));
    }
    CHECK(data.stats().size() == 1);  // one file pair, read once
}

TEST_CASE("prepare_training_data: vocab trained once, train and valid loaded", "[data]") {
    TempDir dir;
    DataConfig cfg;
    cfg.train_sets = {write_lines(dir, "train.en", make_lines(200, "en", 1)),
                      write_lines(dir, "train.de.gz", make_lines(200, "de", 2), true),
                      write_lines(dir, "more.en", make_lines(100, "en", 3)),
                      write_lines(dir, "more.fr", make_lines(100, "fr", 4))};
    cfg.valid_sets = {dir.write("val.en", "a man\n\nthe dog\n"), dir.write("val.fr", "un homme\nle chien\n\n")};
    cfg.vocab_path = dir.write("joint.spm", "");
    std::remove(cfg.vocab_path.c_str());
    const TrainingData td = prepare_training_data(cfg, 72, 1, 2);
    CHECK(td.vocab.size() == 72);
    CHECK(td.vocab.has_piece("<2fr>"));
    CHECK(td.train->total_pairs() == 300);
    CHECK(td.train->fingerprint() == prepare_training_data(cfg, 72, 1, 1).train->fingerprint());
    REQUIRE(td.valid != nullptr);
    CHECK(td.valid->total_pairs() == 3);  // empty valid lines are kept
    CHECK(td.valid->source(0)[0] == td.vocab.id_of("<2fr>"));
    const auto lines = describe_stats(*td.train, cfg.max_length);
    REQUIRE(lines.size() == 2);
    CHECK_THAT(lines[0], Contains("200 lines, 200 kept"));
}

TEST_CASE("tokenisation gives the same data with 1 or 4 threads", "[data]") {
    TempDir dir;
    const Vocab vocab = deepnet::test::small_vocab(dir, {});
    const CorpusPlan plan = plan_corpora({write_lines(dir, "big.en", make_lines(5000, "en", 1)),
                                          write_lines(dir, "big.de", make_lines(5000, "de", 2))},
                                         {}, false, false);
    LoadOptions one, four;
    one.threads = 1;
    four.threads = 4;
    const ParallelData a = load_corpora(plan, vocab, one);
    const ParallelData b = load_corpora(plan, vocab, four);
    CHECK(a.total_pairs() == 5000);
    CHECK(a.fingerprint() == b.fingerprint());
    CHECK(b.source(4321) == vocab.encode(make_lines(5000, "en", 1)[4321]));
}
