// `deepnet translate` and `deepnet score` end to end, in process (run_translate/run_score)
// on model files written with save_model_file and a SentencePiece vocabulary trained on
// generated text: outputs equal the library path (tokenise -> decode -> detokenise) line by
// line in input order, empty lines stay empty, n-best format, language tags, cropping and
// the error messages.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <thread>
#include <fstream>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "src/config/command_line.h"
#include "src/core/error.h"
#include "src/io/model_file.h"
#include "src/translate/text_io.h"
#include "src/translate/translator.h"
#include "tests/data/data_test_util.h"

namespace deepnet {
int run_translate(const std::vector<std::string>& args);
int run_score(const std::vector<std::string>& args);
}  // namespace deepnet

using namespace deepnet;

namespace {

struct Fixture {
    test::TempDir dir;
    std::unique_ptr<Vocab> vocab;
    std::string bilingual, multilingual;  // model files
    std::unique_ptr<Transformer<float>> model;  // the weights of both files

    Fixture() {
        const std::string en = test::write_lines(dir, "corpus.en", test::make_lines(300, "en", 1));
        const std::string de = test::write_lines(dir, "corpus.de", test::make_lines(300, "de", 2));
        vocab = std::make_unique<Vocab>(
            Vocab::train({en, de}, dir.write("v.spm", ""), 64, 0, 7, {"<2de>", "<2fr>"}));
        const ResolvedOptions opts = parse_options(
            "train", {"--enc-depth", "2", "--dec-depth", "2", "--dim-emb", "16",
                      "--transformer-heads", "4", "--transformer-dim-ffn", "32", "--dim-vocabs",
                      std::to_string(vocab->size()), "--transformer-norm", "deepnorm"});
        model = std::make_unique<Transformer<float>>(model_config_from(opts));
        model->init_parameters();
        ModelMetadata meta;
        meta.config_yaml = dump_config_yaml(opts);
        meta.vocab_proto = vocab->serialized();
        meta.languages = {"de", "en"};
        bilingual = dir.write("bi.safetensors", "");
        save_model_file(bilingual, model->spec(), model->params().value.data(), meta);
        meta.languages = {"de", "en", "fr"};
        meta.target_languages = {"de", "fr"};
        multilingual = dir.write("multi.safetensors", "");
        save_model_file(multilingual, model->spec(), model->params().value.data(), meta);
    }
};

Fixture& fixture() {
    static Fixture f;
    return f;
}

std::vector<std::string> read_all(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    return lines;
}

// What translate should print for `lines`: the library path, one sentence at a time.
std::vector<std::string> expected_best(const std::vector<std::string>& lines, int64_t tag,
                                       int64_t beam, int64_t max_length = 1000,
                                       double normalize = 0.6) {
    Fixture& f = fixture();
    IncrementalDecoder<float> dec(*f.model);
    SearchOptions opt;
    opt.beam_size = beam;
    opt.normalize = normalize;
    opt.banned = language_tag_ids(*f.vocab);  // as deepnet translate does
    std::vector<std::string> out;
    for (const auto& l : lines) {
        if (l.empty()) {
            out.push_back("");
            continue;
        }
        std::vector<std::string> warnings;
        const auto ids = encode_line(l, *f.vocab, tag, {max_length, true}, "x", warnings);
        out.push_back(f.vocab->decode(beam_search(dec, {ids}, opt)[0][0].tokens));
    }
    return out;
}

const std::vector<std::string> kInput = {"a man runs in the park", "", "two children",
                                         "the dog with a red car on the street runs", "blue", ""};

}  // namespace

TEST_CASE("translate: one output line per input line, in input order", "[translate][app]") {
    Fixture& f = fixture();
    const std::string in = test::write_lines(f.dir, "in.txt", kInput);
    const std::string out = f.dir.write("out.txt", "");
    // mini-batch 2: the three non-empty lines are sorted by length and split across batches.
    REQUIRE(run_translate({"-m", f.bilingual, "-i", in, "-o", out, "--mini-batch", "2",
                           "--maxi-batch", "3", "-b", "3", "--quiet"}) == 0);
    const auto got = read_all(out);
    REQUIRE(got == expected_best(kInput, -1, 3));
    REQUIRE(got[1].empty());
    REQUIRE(!got[0].empty());
}

TEST_CASE("translate --n-best: Marian's format, beam-size lines per input", "[translate][app]") {
    Fixture& f = fixture();
    const std::string in = test::write_lines(f.dir, "in_nb.txt", {"a man", "", "the park"});
    const std::string out = f.dir.write("out_nb.txt", "");
    REQUIRE(run_translate({"-m", f.bilingual, "-i", in, "-o", out, "--n-best", "-b", "3", "-n",
                           "1", "--quiet"}) == 0);
    const auto got = read_all(out);
    REQUIRE(got.size() == 3 + 3 + 3);  // an empty line too gets beam-size entries
    const std::regex line(R"(^(\d+) \|\|\| (.*) \|\|\| F0= (\S+) \|\|\| (\S+)$)");
    std::vector<int> ids;
    for (const auto& l : got) {
        INFO(l);
        std::smatch m;
        REQUIRE(std::regex_match(l, m, line));
        ids.push_back(std::stoi(m[1]));
        const double f0 = std::stod(m[3]), total = std::stod(m[4]);
        if (m[1] == "1") {  // the empty line
            REQUIRE(m[2] == "");
            continue;
        }
        REQUIRE(f0 < 0);
        REQUIRE(total >= f0);  // normalize 1: total = F0 / length, F0 < 0, length >= 1
    }
    REQUIRE(ids == std::vector<int>{0, 0, 0, 1, 1, 1, 2, 2, 2});
    REQUIRE(got[0].rfind("0 ||| " + expected_best({"a man"}, -1, 3, 1000, 1.0)[0] + " ||| F0= ", 0) == 0);
}

TEST_CASE("translate: target-language tags of a multilingual model", "[translate][app]") {
    Fixture& f = fixture();
    const std::string in = test::write_lines(f.dir, "in_ml.txt", {"a man runs", "the dog"});
    const std::string out = f.dir.write("out_ml.txt", "");
    REQUIRE_THROWS_WITH(run_translate({"-m", f.multilingual, "-i", in, "-o", out}),
                        Catch::Contains("--target-lang") && Catch::Contains("de, fr"));
    REQUIRE_THROWS_WITH(run_translate({"-m", f.multilingual, "-i", in, "-o", out,
                                       "--target-lang", "cs"}),
                        Catch::Contains("unknown target language 'cs'") && Catch::Contains("de, fr"));
    REQUIRE(run_translate({"-m", f.multilingual, "-i", in, "-o", out, "--target-lang", "fr",
                           "--quiet"}) == 0);
    const auto got = read_all(out);
    const int64_t fr = f.vocab->id_of("<2fr>");
    REQUIRE(fr >= 4);
    // The tags are found in the vocabulary, and only they: the decoder never outputs them.
    REQUIRE(language_tag_ids(*f.vocab) == std::vector<int64_t>{f.vocab->id_of("<2de>"), fr});
    REQUIRE(got == expected_best({"a man runs", "the dog"}, fr, 4));
    // The tag changes the source, so (with this model) the translation of some line changes.
    REQUIRE(got != expected_best({"a man runs", "the dog"}, -1, 4));
}

TEST_CASE("translate: over-long input is cropped, or rejected with max-length-crop false",
          "[translate][app]") {
    Fixture& f = fixture();
    const std::vector<std::string> lines = {"a", "the dog with a red car on the street runs"};
    const std::string in = test::write_lines(f.dir, "in_long.txt", lines);
    const std::string out = f.dir.write("out_long.txt", "");
    REQUIRE(run_translate({"-m", f.bilingual, "-i", in, "-o", out, "--max-length", "3", "--quiet"}) == 0);
    REQUIRE(read_all(out) == expected_best(lines, -1, 4, 3));
    REQUIRE_THROWS_WITH(run_translate({"-m", f.bilingual, "-i", in, "-o", out, "--max-length", "3",
                                       "--max-length-crop", "false"}),
                        Catch::Contains("in_long.txt line 2") && Catch::Contains("max-length 3"));
}

TEST_CASE("translate: invalid UTF-8 and a missing model are clear errors", "[translate][app]") {
    Fixture& f = fixture();
    const std::string in = f.dir.write("bad.txt", "fine\nbad \xC3\x28 byte\n");
    const std::string out = f.dir.write("out_bad.txt", "");
    REQUIRE_THROWS_AS(run_translate({"-m", f.bilingual, "-i", in, "-o", out}), UserError);
    REQUIRE_THROWS_WITH(run_translate({"-m", f.bilingual, "-i", in, "-o", out}),
                        Catch::Contains("bad.txt:2") && Catch::Contains("UTF-8"));
    REQUIRE_THROWS_WITH(run_translate({"-i", in}), Catch::Contains("--model"));
}

TEST_CASE("score: log-probabilities of the target given the source, --normalize", "[translate][app]") {
    Fixture& f = fixture();
    const std::vector<std::string> src = {"a man runs in the park", "two children", ""};
    const std::vector<std::string> tgt = {"ein Mann läuft", "", "zwei Kinder spielen"};
    const std::string s = test::write_lines(f.dir, "sc.en", src);
    const std::string t = test::write_lines(f.dir, "sc.de", tgt);
    const std::string out = f.dir.write("sc.out", "");
    REQUIRE(run_score({"-m", f.bilingual, "-t", s, t, "-o", out, "--mini-batch", "2", "--quiet"}) == 0);
    std::vector<std::vector<int64_t>> sid, tid;
    for (size_t i = 0; i < src.size(); ++i) {
        sid.push_back(f.vocab->encode(src[i]));
        tid.push_back(f.vocab->encode(tgt[i]));
    }
    const auto ref = score_pairs(*f.model, sid, tid, 1);
    auto got = read_all(out);
    REQUIRE(got.size() == 3);
    for (size_t i = 0; i < 3; ++i) {
        REQUIRE(ref[i] < 0);
        // Marian's scorer format: fixed-point with 6 decimals (not 6 significant digits).
        REQUIRE(std::regex_match(got[i], std::regex(R"(-\d+\.\d{6})")));
        REQUIRE(std::stod(got[i]) == Approx(ref[i]).epsilon(1e-5));
    }
    REQUIRE(run_score({"-m", f.bilingual, "-t", s, t, "-o", out, "--normalize", "--quiet"}) == 0);
    got = read_all(out);
    for (size_t i = 0; i < 3; ++i)
        REQUIRE(std::stod(got[i]) == Approx(ref[i] / double(tid[i].size() + 1)).epsilon(1e-5));
    const std::string short_t = test::write_lines(f.dir, "short.de", {"ein Mann"});
    REQUIRE_THROWS_WITH(run_score({"-m", f.bilingual, "-t", s, short_t, "-o", out}),
                        Catch::Contains("short.de has fewer lines"));
    REQUIRE_THROWS_WITH(run_score({"-m", f.bilingual, "-t", s, "-o", out}),
                        Catch::Contains("two files"));
}

TEST_CASE("score: the sum of the per-step log-probabilities of incremental decoding",
          "[translate]") {
    Fixture& f = fixture();
    IncrementalDecoder<float> dec(*f.model);
    const std::vector<std::vector<int64_t>> src = {f.vocab->encode("a man in the park"),
                                                   f.vocab->encode("two")};
    const std::vector<std::vector<int64_t>> tgt = {f.vocab->encode("ein Hund"),
                                                   f.vocab->encode("Kinder spielen im Park")};
    const auto scores = score_pairs(*f.model, src, tgt, 2);
    for (size_t i = 0; i < src.size(); ++i) {
        dec.start({src[i]});
        double sum = 0;
        std::vector<int64_t> in = {f.model->config().bos_id};
        std::vector<int64_t> out = tgt[i];
        out.push_back(f.model->config().eos_id);
        for (int64_t w : out) {
            const float* lp = dec.step({in.back()}, {0});
            sum += double(lp[w]);
            in.push_back(w);
        }
        REQUIRE(scores[i] == Approx(sum).margin(1e-4));
    }
}

namespace {

// Runs `body` with file descriptor 0 replaced by `fd`, then restores standard input.
template <class F>
void with_stdin(int fd, F body) {
    const int saved = ::dup(0);
    REQUIRE(saved >= 0);
    REQUIRE(::dup2(fd, 0) == 0);
    try {
        body();
    } catch (...) {
        ::dup2(saved, 0);
        ::close(saved);
        throw;
    }
    ::dup2(saved, 0);
    ::close(saved);
}

}  // namespace

TEST_CASE("translate reads stdin: a piped file, and interactive input line by line",
          "[translate][app]") {
    Fixture& f = fixture();
    const std::string in = test::write_lines(f.dir, "in_stdin.txt", kInput);
    const std::string out = f.dir.write("out_stdin.txt", "");
    const int fd = ::open(in.c_str(), O_RDONLY);
    REQUIRE(fd >= 0);
    with_stdin(fd, [&] { REQUIRE(run_translate({"-m", f.bilingual, "-o", out, "--quiet"}) == 0); });
    ::close(fd);
    REQUIRE(read_all(out) == expected_best(kInput, -1, 4));

    // Interactive: the first translation must appear before the second line is typed.
    int p[2];
    REQUIRE(::pipe(p) == 0);
    const std::string out2 = f.dir.write("out_interactive.txt", "");
    bool first_before_second = false;
    std::thread writer([&] {
        const std::string first = "a man runs\n", second = "the dog\n";
        (void)!::write(p[1], first.data(), first.size());
        for (int i = 0; i < 200 && read_all(out2).size() < 1; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        first_before_second = read_all(out2).size() == 1;
        (void)!::write(p[1], second.data(), second.size());
        ::close(p[1]);
    });
    with_stdin(p[0], [&] {
        REQUIRE(run_translate({"-m", f.bilingual, "-o", out2, "--quiet"}) == 0);
    });
    writer.join();
    ::close(p[0]);
    REQUIRE(first_before_second);
    REQUIRE(read_all(out2) == expected_best({"a man runs", "the dog"}, -1, 4));
}

TEST_CASE("translate: a line of only spaces is an empty line, not a source", "[translate][app][hostile]") {
    Fixture& f = fixture();
    const std::string in = test::write_lines(f.dir, "in_sp.txt", {"   ", "\t ", "a man"});
    const std::string out = f.dir.write("out_sp.txt", "");
    REQUIRE(run_translate({"-m", f.bilingual, "-i", in, "-o", out, "--quiet"}) == 0);
    const auto got = read_all(out);
    REQUIRE(got == std::vector<std::string>{"", "", expected_best({"a man"}, -1, 4)[0]});
}

TEST_CASE("translate: invalid UTF-8 stops the run after the lines before it are written", "[translate][app][hostile]") {
    Fixture& f = fixture();
    const std::string in = f.dir.write("in_bad.txt", "a man\ntwo children\n\xff\xfe bad\nblue\n");
    const std::string out = f.dir.write("out_bad.txt", "");
    REQUIRE_THROWS_WITH(run_translate({"-m", f.bilingual, "-i", in, "-o", out, "--maxi-batch", "100", "--quiet"}),
                        Catch::Contains("in_bad.txt:3: invalid UTF-8"));
    REQUIRE(read_all(out) == expected_best({"a man", "two children"}, -1, 4));
}

TEST_CASE("beam search: selection and insertion give the same lists, large beams finish", "[translate][hostile]") {
    Fixture& f = fixture();
    std::vector<std::vector<int64_t>> src;
    for (const char* l : {"a man runs in the park", "blue", "two children"}) {
        std::vector<std::string> warnings;
        src.push_back(encode_line(l, *f.vocab, -1, {1000, true}, "x", warnings));
    }
    SearchOptions opt;
    opt.beam_size = 8;
    const auto by_insertion = translate_ids_parallel(*f.model, src, opt, 2, 2);
    opt.insertion_max_k = 0;
    const auto by_selection = translate_ids_parallel(*f.model, src, opt, 2, 2);
    for (size_t i = 0; i < src.size(); ++i) {
        REQUIRE(by_insertion[i].size() == by_selection[i].size());
        for (size_t k = 0; k < by_insertion[i].size(); ++k) {
            REQUIRE(by_insertion[i][k].tokens == by_selection[i][k].tokens);
            REQUIRE(by_insertion[i][k].score == by_selection[i][k].score);
        }
    }
    opt.beam_size = 300;  // more than the vocabulary: minutes by insertion
    opt.insertion_max_k = 64;
    const auto big = translate_ids_parallel(*f.model, src, opt, 3, 1);
    for (const auto& hyps : big) {
        REQUIRE(!hyps.empty());
        for (size_t k = 1; k < hyps.size(); ++k) REQUIRE(hyps[k - 1].total >= hyps[k].total);
    }
    opt.beam_size = 4;
    opt.stop = [] { return true; };  // a stop signal: nothing more is decoded
    for (const auto& hyps : translate_ids_parallel(*f.model, src, opt, 1, 2)) REQUIRE(hyps.empty());
}
