// Marian's options (src/config/marian_catalogue.h): the transformer recipe of
// marian-examples runs unchanged (values checked, one log line per ignored option,
// --mini-batch-fit refused with what to use instead), the same as a model.npz.yml-style
// config file, each mapping and refusal, the decoder's options, and the catalogue's own
// consistency with deepnet's option table.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "src/config/command_line.h"
#include "src/config/command_table.h"
#include "src/config/marian_catalogue.h"
#include "tests/config/config_test_util.h"

using namespace deepnet;
using deepnet::test::TempDir;
using deepnet::test::user_error;
using Catch::Matchers::Contains;
using Strings = std::vector<std::string>;

namespace {

// marian-examples/transformer's training command (its options; paths are not read here).
Strings marian_example() {
    return {"--type", "transformer", "--enc-depth", "6", "--dec-depth", "6", "--dim-emb", "512",
            "--transformer-heads", "8", "--transformer-postprocess", "dan", "--transformer-dropout", "0.1",
            "--label-smoothing", "0.1", "--learn-rate", "0.0003", "--lr-warmup", "16000",
            "--lr-decay-inv-sqrt", "16000", "--lr-report", "--optimizer-params", "0.9", "0.98", "1e-09",
            "--clip-norm", "5", "--tied-embeddings-all", "--sync-sgd", "--exponential-smoothing",
            "--mini-batch-fit", "-w", "10000", "--maxi-batch", "1000", "--valid-freq", "5000",
            "--save-freq", "5000", "--disp-freq", "500", "--valid-metrics", "ce-mean-words", "perplexity",
            "translation", "--valid-script-path", "./validate.sh", "--valid-mini-batch", "64",
            "--beam-size", "6", "--normalize", "0.6", "--keep-best", "--early-stopping", "10",
            "--cost-type", "ce-mean-words", "--log-level", "info", "--overwrite", "--dim-vocabs", "8000",
            "8000", "--quiet-translation", "--shuffle-in-ram", "--no-restore-corpus"};
}

Strings without(Strings args, const std::string& flag) {
    args.erase(std::find(args.begin(), args.end(), flag));
    return args;
}

// The note of each option accepted and ignored, in the order given.
Strings noted(const ResolvedOptions& o) {
    Strings names;
    for (const auto& n : o.notes()) names.push_back(n.substr(0, n.find(" (Marian's option")));
    return names;
}

void check_example_values(const ResolvedOptions& o, const std::string& where) {
    CHECK(o.get<int64_t>("enc-depth") == 6);
    CHECK(o.get<int64_t>("dec-depth") == 6);
    CHECK(o.get<int64_t>("dim-emb") == 512);
    CHECK(o.get<int64_t>("transformer-heads") == 8);
    CHECK(o.get<std::string>("transformer-norm") == "post");
    CHECK_THAT(o.where("transformer-norm"),
               Contains(where) && Contains("via") && Contains("transformer-postprocess dan"));
    CHECK(o.get<double>("transformer-dropout") == 0.1);
    CHECK(o.get<double>("label-smoothing") == 0.1);
    CHECK(o.get<double>("learn-rate") == 0.0003);
    CHECK(o.get<int64_t>("lr-warmup") == 16000);
    CHECK(o.get<int64_t>("lr-decay-inv-sqrt") == 16000);
    CHECK(o.get<std::vector<double>>("optimizer-params") == std::vector<double>{0.9, 0.98, 1e-9});
    CHECK(o.get<double>("clip-norm") == 5);
    CHECK(o.get<bool>("tied-embeddings-all"));
    CHECK(o.get<double>("exponential-smoothing") == 1e-4);  // Marian's implicit value
    CHECK(o.get<int64_t>("maxi-batch") == 1000);
    CHECK(o.get<int64_t>("valid-freq") == 5000);
    CHECK(o.get<int64_t>("save-freq") == 5000);
    CHECK(o.get<int64_t>("disp-freq") == 500);
    CHECK(o.get<Strings>("valid-metrics") == Strings{"cross-entropy", "perplexity", "translation"});
    CHECK(o.get<std::string>("valid-script-path") == "./validate.sh");
    CHECK(o.get<int64_t>("valid-mini-batch") == 64);
    CHECK(o.get<int64_t>("beam-size") == 6);
    CHECK(o.get<double>("normalize") == 0.6);
    CHECK(o.get<bool>("keep-best"));
    CHECK(o.get<int64_t>("early-stopping") == 10);
    CHECK(o.get<int64_t>("keep-checkpoints") == 1);
    CHECK_THAT(o.where("keep-checkpoints"), Contains("overwrite"));
    CHECK(o.get<int64_t>("dim-vocabs") == 8000);
    CHECK_FALSE(o.get<bool>("quiet"));  // log-level info
    CHECK(o.warnings().empty());
}

}  // namespace

TEST_CASE("marian: the transformer example runs as given, --mini-batch-fit -w 10000 included", "[marian][config]") {
    const ResolvedOptions o = parse_options("train", marian_example());
    check_example_values(o, "the command line");
    CHECK(o.get<bool>("mini-batch-fit"));
    CHECK(o.get<int64_t>("workspace") == 10000);
    // One line per option accepted and ignored, naming it, and nothing for those that map.
    CHECK(noted(o) == Strings{"--lr-report", "--sync-sgd", "--quiet-translation", "--shuffle-in-ram",
                              "--no-restore-corpus"});
    for (const auto& n : o.notes()) CHECK_THAT(n, Contains("is accepted and ignored: "));
    CHECK_THAT(o.notes()[1], Contains("always synchronous"));
    CHECK_THAT(o.notes()[4], Contains("resumes the corpus"));
}

TEST_CASE("marian: the same example as a model.npz.yml-style config file", "[marian][config]") {
    TempDir dir;
    const std::string yml = dir.write("model.npz.yml",
        "type: transformer\nenc-depth: 6\ndec-depth: 6\ndim-emb: 512\ntransformer-heads: 8\n"
        "transformer-postprocess: dan\ntransformer-preprocess: \"\"\ntransformer-postprocess-emb: d\n"
        "transformer-postprocess-top: \"\"\ntransformer-dropout: 0.1\nlabel-smoothing: 0.1\n"
        "learn-rate: 0.0003\nlr-warmup: 16000\nlr-decay-inv-sqrt: [16000]\nlr-report: true\n"
        "optimizer-params: [0.9, 0.98, 1e-09]\nclip-norm: 5\ntied-embeddings-all: true\nsync-sgd: true\n"
        "exponential-smoothing: 0.0001\nmini-batch-fit: false\nworkspace: 10000\nmaxi-batch: 1000\n"
        "valid-freq: 5000\nsave-freq: 5000u\ndisp-freq: 500\n"
        "valid-metrics: [ce-mean-words, perplexity, translation]\nvalid-script-path: ./validate.sh\n"
        "valid-mini-batch: 64\nbeam-size: 6\nnormalize: 0.6\nkeep-best: true\nearly-stopping: 10\n"
        "cost-type: ce-mean-words\nlog-level: info\noverwrite: true\ndim-vocabs: [8000, 8000]\n"
        "quiet-translation: true\nshuffle-in-ram: true\nno-restore-corpus: true\n"
        // Options a Marian dump lists at their defaults: accepted without a word.
        "version: v1.12.0 65bf82ff 2023-02-21\ndim-rnn: 1024\nenc-cell: gru\nsigterm: save-and-exit\n"
        "relative-paths: false\nsqlite: \"\"\nmini-batch-fit-step: 10\nmaxi-batch-sort: trg\n"
        "precision: [float32, float32, float32]\nfp16: false\ngradient-checkpointing: false\n"
        "guided-alignment: none\nembedding-vectors: []\nafter: 0e\nbert-class-symbol: \"[CLS]\"\n"
        "lr-decay-start: [10, 1]\ntransformer-dim-aan: 2048\n");
    const ResolvedOptions o = parse_options("train", {"-c", yml});
    check_example_values(o, yml + " line 6");
    CHECK(o.get<int64_t>("save-freq") == 5000);
    CHECK(noted(o) == Strings{"lr-report true", "sync-sgd true", "quiet-translation true", "shuffle-in-ram true",
                              "no-restore-corpus true", "version v1.12.0 65bf82ff 2023-02-21"});
    CHECK(o.get<int64_t>("workspace") == 10000);
    CHECK_FALSE(o.get<bool>("mini-batch-fit"));
    CHECK_THAT(o.where("workspace"), Contains(yml + " line 22"));

    // The command line overrides an option of a file.
    const std::string fit = dir.write("fit.yml", "mini-batch-fit: true\n");
    CHECK(parse_options("train", {"-c", fit}).get<bool>("mini-batch-fit"));
    CHECK_FALSE(parse_options("train", {"-c", fit, "--mini-batch-fit", "false"}).get<bool>("mini-batch-fit"));
}

TEST_CASE("marian: options that cannot be honoured say so and what to use", "[marian][config]") {
    const std::vector<std::pair<Strings, std::string>> cases = {
        {{"--type", "s2s"}, "Transformer encoder-decoders only"},
        {{"--cost-type", "ce-sum"}, "use --cost-type ce-mean-words"},
        {{"--cost-type", "perplexity"}, "Marian's ce-mean-words"},
        {{"--dim-vocabs", "8000", "16000"}, "one joint SentencePiece vocabulary"},
        {{"--dim-vocabs", "0", "0"}, "needs its size"},
        {{"--transformer-postprocess", "dn"}, "is not a scheme deepnet has"},
        {{"--transformer-preprocess", "n"}, "'n' with 'da'"},
        {{"--transformer-postprocess-emb", "dn"}, "use d"},
        {{"--transformer-postprocess-top", "n"}, "pre-norm only"},
        {{"--transformer-ffn-activation", "swish"}, "Marian's default, is not implemented"},
        {{"--valid-metrics", "bleu-segmented"}, "detokenised"},
        {{"--valid-metrics", "translation"}, "set valid-script-path"},
        {{"--lr-warmup", "2e"}, "counts epochs"},
        {{"--valid-freq", "1Gt"}, "counts target labels"},
        {{"--lr-decay-inv-sqrt", "16000", "32000"}, "give one value"},
        {{"--after", "1Gt"}, "target labels"},
        {{"--precision", "float16", "float32", "float16"}, "saves float32 weights"},
        {{"--optimizer", "sgd"}, "Adam only"},
        {{"--maxi-batch-sort", "src"}, "sorted by target length"},
        {{"--tied-embeddings-src"}, "use --tied-embeddings-all"},
        {{"--task", "transformer-big"}, "give the task's options explicitly"},
        {{"--log-level", "loud"}, "not one of trace"},
        {{"--sync-sgd", "maybe"}, "unexpected argument 'maybe'"},
        {{"--lr-decay", "0.5"}, "use --lr-decay-inv-sqrt"},
    };
    for (const auto& [args, expected] : cases) {
        INFO(args[0]);
        CHECK_THAT(user_error([&] { parse_options("train", args); }), Contains(expected));
    }
    // Values that ask for nothing pass silently, whatever their spelling.
    const ResolvedOptions o = parse_options("train", {"--lr-decay", "0.0", "--maxi-batch-sort", "trg",
                                                      "--optimizer", "adam", "--mini-batch-fit", "false"});
    CHECK(o.notes().empty());
}

TEST_CASE("marian: shortcuts map onto deepnet options, never over explicit ones", "[marian][config]") {
    const ResolvedOptions fp16 = parse_options("train", {"--fp16"});
    CHECK(fp16.get<Strings>("precision") == Strings{"float16", "float32"});
    CHECK(fp16.get<Strings>("cost-scaling") == Strings{"8", "10000", "1", "8"});
    CHECK_THAT(fp16.where("precision"), Contains("via --fp16"));
    const ResolvedOptions kept = parse_options("train", {"--fp16", "--precision", "bfloat16", "float32"});
    CHECK(kept.get<Strings>("precision") == Strings{"bfloat16", "float32"});
    CHECK(kept.get<Strings>("cost-scaling") == Strings{"8", "10000", "1", "8"});
    REQUIRE(kept.warnings().size() == 1);
    CHECK_THAT(kept.warnings()[0], Contains("precision") && Contains("is kept") && Contains("--fp16"));
    CHECK(parse_options("train", {"--precision", "float16", "float32"}).get<Strings>("precision") ==
          Strings{"float16", "float32"});

    const ResolvedOptions pre =
        parse_options("train", {"--transformer-preprocess", "n", "--transformer-postprocess", "da"});
    CHECK(pre.get<std::string>("transformer-norm") == "pre");
    CHECK_THAT(pre.notes().at(0), Contains("end with a LayerNorm"));
    CHECK(parse_options("train", {"--transformer-preprocess", "n", "--transformer-postprocess", "da",
                                  "--transformer-postprocess-top", "n"}).notes().empty());
    const ResolvedOptions deep =
        parse_options("train", {"--transformer-postprocess", "dan", "--transformer-norm", "deepnorm"});
    CHECK(deep.get<std::string>("transformer-norm") == "deepnorm");
    CHECK_THAT(deep.notes().at(0), Contains("is kept beside") && Contains("Post-LN"));
    CHECK(parse_options("train", {"--type", "transformer"}).get<std::string>("transformer-norm") == "deepnorm");

    const ResolvedOptions after = parse_options("train", {"-a", "10e,100Ku"});
    CHECK(after.get<int64_t>("after-epochs") == 10);
    CHECK(after.get<int64_t>("after-batches") == 100000);
    CHECK(parse_options("train", {"--lr-warmup", "16Ku", "--valid-freq", "500u"}).get<int64_t>("lr-warmup") == 16000);
    CHECK(parse_options("train", {"--log-level", "warn"}).get<bool>("quiet"));
    CHECK(parse_options("train", {"--no-shuffle"}).get<std::string>("shuffle") == "none");
    CHECK(parse_options("train", {"--no-nccl"}).get<std::string>("distributed-backend") == "mpi");
    CHECK(parse_options("train", {}).get<std::string>("distributed-backend") == "auto");
    CHECK(parse_options("train", {"--gradient-checkpointing"}).get<bool>("recompute"));
    CHECK(parse_options("train", {"--valid-metrics", "bleu-detok", "chrf"}).get<Strings>("valid-metrics") ==
          Strings{"bleu", "chrf"});
    CHECK(parse_options("train", {"--normalize"}).get<double>("normalize") == 1);
    CHECK(parse_options("train", {"--exponential-smoothing", "0.001"}).get<double>("exponential-smoothing") == 0.001);
    CHECK(parse_options("train", {"--dump-config", "minimal"}).get<bool>("dump-config"));

    // Marian's short flags.
    const ResolvedOptions s = parse_options("train", {"-t", "a.en", "a.de", "-v", "j.spm", "j.spm", "-e", "3",
                                                      "-l", "0.001", "-n", "1", "-T", "/tmp"});
    CHECK(s.get<Strings>("train-sets") == Strings{"a.en", "a.de"});
    CHECK(s.get<Strings>("vocabs") == Strings{"j.spm", "j.spm"});
    CHECK(s.get<int64_t>("after-epochs") == 3);
    CHECK(s.get<double>("learn-rate") == 0.001);
    CHECK(s.get<double>("normalize") == 1);
    CHECK(s.notes().empty());  // -T /tmp is Marian's default: silent
}

TEST_CASE("marian: a dumped config of a Marian command reproduces it", "[marian][config]") {
    TempDir dir;
    const ResolvedOptions o = parse_options("train", without(marian_example(), "--mini-batch-fit"));
    const std::string dump = dir.write("dump.yml", dump_config_yaml(o));
    const ResolvedOptions again = parse_options("train", {"-c", dump});
    for (const OptionSpec* spec : o.options()) {
        // The dump pins the DeepNorm constants to the numbers the model uses (docs/config.md).
        if (spec->cli_only || spec->name.rfind("deepnorm-", 0) == 0) continue;
        INFO(spec->name);
        CHECK(again.value(spec->name) == o.value(spec->name));
    }
    CHECK(again.get<std::string>("transformer-norm") == "post");
}

TEST_CASE("marian: the decoder's options on deepnet translate", "[marian][config]") {
    const ResolvedOptions o = parse_options(
        "translate", {"--models", "model.npz", "-v", "vocab.spm", "vocab.spm", "-i", "in.txt", "-b", "6",
                      "-n", "--mini-batch", "64", "--maxi-batch", "100", "--maxi-batch-sort", "src", "-w", "512",
                      "--devices", "0", "--quiet-translation", "--type", "transformer"});
    CHECK(o.get<std::string>("model") == "model.npz");
    CHECK_THAT(o.where("model"), Contains("via --models model.npz"));
    CHECK(o.get<std::string>("input") == "in.txt");
    CHECK(o.get<int64_t>("beam-size") == 6);
    CHECK(o.get<double>("normalize") == 1);
    CHECK(noted(o) == Strings{"--vocabs vocab.spm vocab.spm", "--maxi-batch-sort src", "--quiet-translation",
                              "--type transformer"});
    CHECK(o.get<std::vector<int64_t>>("devices") == std::vector<int64_t>{0});
    CHECK_THAT(o.notes()[3], Contains("read from the model file"));
    CHECK_THAT(user_error([] { parse_options("translate", {"--models", "a.npz", "b.npz"}); }),
               Contains("ensembles are not supported"));
    CHECK(parse_options("translate", {"--fp16"}).get<Strings>("precision") == Strings{"float16"});
    CHECK(parse_options("translate", {"--fp16", "--precision", "bfloat16"}).get<Strings>("precision") ==
          Strings{"bfloat16"});
    CHECK_THAT(user_error([] { parse_options("translate", {"-i", "a.txt", "b.txt"}); }), Contains("one input"));
    CHECK_THAT(user_error([] { parse_options("translate", {"--mini-batch-fit"}); }), Contains("unknown option"));
}

TEST_CASE("marian: unknown options still get suggestions, Marian's included", "[marian][config]") {
    CHECK_THAT(user_error([] { parse_options("train", {"--sync-sdg"}); }), Contains("did you mean '--sync-sgd'?"));
    CHECK_THAT(user_error([] { parse_options("train", {"--no-such-marian-option"}); }), Contains("unknown option"));
}

TEST_CASE("marian: the catalogue agrees with deepnet's option table", "[marian][config]") {
    for (const std::string command : {"train", "translate"}) {
        const CommandSpec& spec = command_spec(command);
        std::set<std::string> seen;
        for (const auto& group : marian_catalogue(command))
            for (const auto& m : group.options) {
                INFO(command << " --" << m.name);
                CHECK(seen.insert(m.name).second);
                CHECK_FALSE(m.note.empty());
                const OptionSpec* ours = find_option(spec, m.name);
                if (m.kind == MarianKind::Same) {
                    REQUIRE(ours != nullptr);
                    CHECK(ours->short_name == m.short_name);  // Marian's short flag works here too
                } else {
                    CHECK(ours == nullptr);  // a Marian-only option cannot hide one of ours
                    // -m is deepnet translate's --model, which Marian's --models maps to.
                    if (m.short_name != 0 && m.name != "models")
                        CHECK(find_short_option(spec, m.short_name) == nullptr);
                    CHECK((m.kind == MarianKind::Mapped) == (m.map != nullptr));
                    CHECK((m.neutral.empty() || m.kind != MarianKind::Mapped));
                }
            }
        CHECK(seen.size() > (command == "train" ? 190u : 100u));
    }
    CHECK(marian_catalogue("eval").empty());
}
