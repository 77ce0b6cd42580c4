// --dump-config (round trip through the parser, derived DeepNorm constants, provenance
// comments), the typed structs filled from the options, and --help.
#include <catch2/catch.hpp>
#include <yaml-cpp/yaml.h>

#include <regex>
#include <sstream>

#include "src/config/command_line.h"
#include "src/model/deepnorm.h"
#include "tests/config/config_test_util.h"

using namespace deepnet;
using deepnet::test::TempDir;
using Catch::Matchers::Contains;

namespace {

// The dump without comments or blank lines: what a reader of the YAML sees.
std::string strip_comments(const std::string& yaml) {
    std::istringstream in(yaml);
    std::string line, out;
    while (std::getline(in, line)) {
        line = std::regex_replace(line, std::regex("\\s+#.*$|^#.*$"), "");
        if (!line.empty()) out += line + "\n";
    }
    return out;
}

double dumped(const std::string& yaml, const std::string& key) { return YAML::Load(yaml)[key].as<double>(); }

const char* kDeepnormKeys[] = {"deepnorm-alpha-enc", "deepnorm-beta-enc", "deepnorm-alpha-dec", "deepnorm-beta-dec"};

}  // namespace

TEST_CASE("dump-config round trip gives identical values", "[config]") {
    TempDir dir;
    const std::string base = dir.write("base.yml",
        "enc-depth: 12\ndec-depth: 4\ndim-emb: 384\ntransformer-heads: 6\ntransformer-dim-ffn: 1536\n"
        "transformer-ffn-activation: gelu\ntransformer-dropout: 0.3\ntransformer-dropout-attention: 0.05\n"
        "transformer-dropout-ffn: 0.15\ntied-embeddings: true\nlayer-norm-eps: 1e-6\n"
        "label-smoothing: 0.2\ndim-vocabs: 16000\nlog: 'train log: #1.jsonl'\n");
    const ResolvedOptions first = parse_options("train", {"-c", base, "--deepnorm-beta-dec", "0.3",
        "--seed", "42", "--cpu-threads", "2", "--quiet", "--recompute", "--tied-embeddings-all"});
    const std::string dump1 = dump_config_yaml(first);
    const ResolvedOptions second = parse_options("train", {"-c", dir.write("dump.yml", dump1)});

    const ResidualConstants used = resolve_residual_constants(model_config_from(first));
    CHECK(resolve_residual_constants(model_config_from(second)).alpha_enc == used.alpha_enc);
    CHECK(second.get<std::optional<double>>("deepnorm-alpha-enc") == used.alpha_enc);  // pinned
    CHECK(second.get<std::optional<double>>("deepnorm-beta-dec") == 0.3);
    CHECK(second.get<std::string>("log") == "train log: #1.jsonl");
    int compared = 0;
    for (const OptionSpec* o : first.options()) {
        if (o->cli_only || o->name.rfind("deepnorm-", 0) == 0) continue;
        INFO(o->name);
        CHECK(second.value(o->name) == first.value(o->name));
        CHECK(second.where(o->name) != "the default");  // every value came from the dump
        ++compared;
    }
    CHECK(compared == int(first.options().size()) - 4 - 4);  // all but config/dump-config/dump-memory/help, deepnorm-*
    CHECK(second.warnings().size() == 1);  // only the real override (beta-dec 0.3), not the pinned values
    // Dumping the reloaded config gives the same YAML (comments aside): a fixed point.
    CHECK(strip_comments(dump_config_yaml(second)) == strip_comments(dump1));
}

TEST_CASE("dump-config lists every option once, in group order", "[config]") {
    const ResolvedOptions o = parse_options("train", {"--enc-depth", "3"});
    const std::string dump = dump_config_yaml(o);
    std::vector<std::string> expected, got;
    for (const OptionSpec* s : o.options())
        if (!s->cli_only) expected.push_back(s->name);
    std::istringstream in(strip_comments(dump));
    std::string line;
    while (std::getline(in, line)) got.push_back(line.substr(0, line.find(':')));
    CHECK(got == expected);
    CHECK_THAT(dump, Contains("\n# Model\n"));
    CHECK_THAT(dump, Contains("enc-depth: 3"));
    CHECK_THAT(dump, Contains("# the command line"));
    CHECK_THAT(dump, Contains("dec-depth: 6\n"));  // defaults carry no comment
}

TEST_CASE("dump-config prints the derived DeepNorm constants", "[config]") {
    SECTION("6L-6L defaults") {
        const std::string dump = dump_config_yaml(parse_options("train", {}));
        CHECK(dumped(dump, "deepnorm-alpha-enc") == Approx(1.418).margin(5e-4));
        CHECK(dumped(dump, "deepnorm-beta-enc") == Approx(0.497).margin(5e-4));
        CHECK(dumped(dump, "deepnorm-alpha-dec") == Approx(2.060).margin(5e-4));
        CHECK(dumped(dump, "deepnorm-beta-dec") == Approx(0.343).margin(5e-4));
        CHECK_THAT(dump, Contains("# derived from enc-depth 6, dec-depth 6"));
    }
    SECTION("an override is respected, the others stay derived") {
        const ResolvedOptions o = parse_options("train", {"--deepnorm-alpha-enc", "2.5"});
        const std::string dump = dump_config_yaml(o);
        CHECK(dumped(dump, "deepnorm-alpha-enc") == 2.5);
        CHECK(dumped(dump, "deepnorm-beta-enc") == Approx(0.497).margin(5e-4));
        CHECK(dumped(dump, "deepnorm-alpha-dec") == Approx(2.060).margin(5e-4));
        REQUIRE(o.warnings().size() == 1);
        CHECK_THAT(o.warnings()[0], Contains("deepnorm-alpha-enc 2.5 (the command line) overrides the value 1.41794 derived from enc-depth 6, dec-depth 6"));
    }
    SECTION("depths change the derived values") {
        const std::string dump = dump_config_yaml(parse_options("train", {"--enc-depth", "100", "--dec-depth", "100"}));
        const ResidualConstants c = deepnorm_constants(100, 100);
        CHECK(dumped(dump, "deepnorm-alpha-enc") == c.alpha_enc);
        CHECK(dumped(dump, "deepnorm-beta-dec") == c.beta_dec);
    }
    SECTION("post and pre use 1; subln uses its gammas") {
        for (const std::string norm : {"post", "pre"}) {
            const std::string dump = dump_config_yaml(parse_options("train", {"--transformer-norm", norm}));
            for (const char* k : kDeepnormKeys) CHECK(dumped(dump, k) == 1.0);
        }
        const std::string dump = dump_config_yaml(parse_options("train", {"--transformer-norm", "subln"}));
        const ResidualConstants g = subln_constants(6, 6);
        CHECK(dumped(dump, "deepnorm-alpha-enc") == 1.0);
        CHECK(dumped(dump, "deepnorm-beta-enc") == g.beta_enc);
        CHECK(dumped(dump, "deepnorm-beta-dec") == g.beta_dec);
    }
    SECTION("a stale pinned constant and an ignored one are warned about") {
        TempDir dir;
        const std::string dump = dump_config_yaml(parse_options("train", {}));
        const auto o = parse_options("train", {"-c", dir.write("d.yml", dump), "--enc-depth", "24"});
        CHECK(o.warnings().size() == 2);  // both encoder constants depend on N
        const auto p = parse_options("train", {"--transformer-norm", "post", "--deepnorm-beta-dec", "0.5"});
        REQUIRE(p.warnings().size() == 1);
        CHECK_THAT(p.warnings()[0], Contains("is ignored: transformer-norm is post"));
    }
}

TEST_CASE("model_config_from and common_config_from fill every field", "[config]") {
    TempDir dir;
    const std::string p = dir.write("all.yml",
        "enc-depth: 18\ndec-depth: 9\ndim-emb: 256\ntransformer-heads: 4\ntransformer-dim-ffn: 1024\n"
        "transformer-ffn-activation: gelu\ntransformer-dropout: 0.2\ntransformer-dropout-attention: 0.05\n"
        "transformer-dropout-ffn: 0.15\ntied-embeddings: true\ntied-embeddings-all: true\n"
        "transformer-norm: subln\ndeepnorm-alpha-enc: 1.5\ndeepnorm-beta-enc: 0.25\n"
        "deepnorm-alpha-dec: 2.5\ndeepnorm-beta-dec: 0.125\nlayer-norm-eps: 1e-6\nlabel-smoothing: 0.05\n"
        "recompute: true\ndim-vocabs: 32000\nseed: 7\ncpu-threads: 3\nquiet: true\nlog: run.log\n");
    const ResolvedOptions o = parse_options("train", {"-c", p, "--dump-config"});
    const ModelConfig m = model_config_from(o);
    CHECK(m.enc_depth == 18);
    CHECK(m.dec_depth == 9);
    CHECK(m.dim_emb == 256);
    CHECK(m.heads == 4);
    CHECK(m.dim_ffn == 1024);
    CHECK(m.vocab_size == 32000);
    CHECK(m.activation == Activation::GELU);
    CHECK(m.norm == NormScheme::SubLN);
    CHECK(m.dropout == 0.2);
    CHECK(m.dropout_attention == 0.05);
    CHECK(m.dropout_ffn == 0.15);
    CHECK(m.tied_embeddings);
    CHECK(m.tied_embeddings_all);
    CHECK(m.label_smoothing == 0.05);
    CHECK(m.layer_norm_eps == 1e-6);
    CHECK(m.recompute);
    CHECK(m.seed == 7);
    CHECK(m.deepnorm_alpha_enc == 1.5);
    CHECK(m.deepnorm_beta_enc == 0.25);
    CHECK(m.deepnorm_alpha_dec == 2.5);
    CHECK(m.deepnorm_beta_dec == 0.125);
    for (const std::string norm : {"post", "pre", "deepnorm"}) {
        const NormScheme want = norm == "post" ? NormScheme::Post : norm == "pre" ? NormScheme::Pre : NormScheme::DeepNorm;
        CHECK(model_config_from(parse_options("train", {"--transformer-norm", norm})).norm == want);
    }
    CHECK(model_config_from(parse_options("train", {})).activation == Activation::ReLU);

    const CommonConfig c = common_config_from(o);
    CHECK(c.config_files == std::vector<std::string>{p});
    CHECK(c.dump_config);
    CHECK_FALSE(c.help);
    CHECK(c.seed == 7);
    CHECK(c.cpu_threads == 3);
    CHECK(c.quiet);
    CHECK(c.log_file == "run.log");
}

TEST_CASE("help text lists every option with its default", "[config]") {
    const std::string help = help_text("train");
    const ResolvedOptions o = parse_options("train", {});
    for (const OptionSpec* s : o.options()) {
        INFO(s->name);
        CHECK_THAT(help, Contains("--" + s->name + " "));
    }
    CHECK_THAT(help, Contains("-c, --config FILE ..."));
    CHECK_THAT(help, Contains("(default: 1111)"));
    CHECK_THAT(help, Contains("--transformer-norm post|pre|deepnorm|subln"));
    CHECK_THAT(help, Contains("(default: deepnorm)"));
    CHECK_THAT(help, Contains("[>= 1 and <= 1000]"));
    CHECK_THAT(help_text("translate"), !Contains("--enc-depth"));
}
