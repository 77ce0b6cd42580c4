// Option parsing: defaults, precedence (default < file1 < file2 < command line), bool and
// list flags, and the strict errors (unknown key/flag with suggestion, wrong type, bad
// enum, syntax error line, limits, cross-field checks), each naming key, file and line.
#include <catch2/catch.hpp>

#include "src/config/command_line.h"
#include "tests/config/config_test_util.h"

using namespace deepnet;
using deepnet::test::TempDir;
using deepnet::test::user_error;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

TEST_CASE("defaults come from the option table", "[config]") {
    const ResolvedOptions o = parse_options("train", {});
    CHECK(o.get<int64_t>("enc-depth") == 6);
    CHECK(o.get<int64_t>("dim-emb") == 512);
    CHECK(o.get<int64_t>("transformer-dim-ffn") == 2048);
    CHECK(o.get<std::string>("transformer-norm") == "deepnorm");
    CHECK(o.get<double>("transformer-dropout") == 0.1);
    CHECK(o.get<double>("layer-norm-eps") == 1e-5);
    CHECK(o.get<int64_t>("seed") == 1111);
    CHECK(o.get<int64_t>("dim-vocabs") == 8000);
    CHECK_FALSE(o.get<std::optional<double>>("deepnorm-alpha-enc").has_value());
    CHECK(o.is_default("enc-depth"));
    CHECK(o.where("enc-depth") == "the default");
    CHECK(o.warnings().empty());
}

TEST_CASE("precedence: default < first file < second file < command line", "[config]") {
    TempDir dir;
    const std::string a = dir.write("a.yml", "enc-depth: 12\ndec-depth: 12\ndim-emb: 1024\ntransformer-heads: 16\n");
    const std::string b = dir.write("b.yml", "# second file\ndec-depth: 3\ndim-emb: 256\n");

    auto check_ab = [&](const ResolvedOptions& o) {
        CHECK(o.get<int64_t>("enc-depth") == 12);  // only in a
        CHECK(o.where("enc-depth") == a + " line 1");
        CHECK(o.get<int64_t>("dec-depth") == 3);   // b overrides a
        CHECK(o.where("dec-depth") == b + " line 2");
        CHECK(o.get<int64_t>("dim-emb") == 128);   // command line overrides both
        CHECK(o.where("dim-emb") == "the command line");
        CHECK(o.get<int64_t>("transformer-heads") == 16);
        CHECK(o.get<int64_t>("transformer-dim-ffn") == 2048);  // nobody set it
        CHECK(o.is_default("transformer-dim-ffn"));
    };
    SECTION("several files after one --config") {
        const ResolvedOptions o = parse_options("train", {"--config", a, b, "--dim-emb", "128"});
        check_ab(o);
        CHECK(o.get<std::vector<std::string>>("config") == std::vector<std::string>{a, b});
    }
    SECTION("-c repeated accumulates, flag before the files") {
        check_ab(parse_options("train", {"--dim-emb", "128", "-c", a, "-c", b}));
    }
    SECTION("file order matters") {
        const ResolvedOptions o = parse_options("train", {"-c", b, a});
        CHECK(o.get<int64_t>("dec-depth") == 12);
        CHECK(o.get<int64_t>("dim-emb") == 1024);
    }
    SECTION("--name=value form") {
        const ResolvedOptions o = parse_options("train", {"--config=" + a, "--dim-emb=128"});
        CHECK(o.get<int64_t>("dim-emb") == 128);
        CHECK(o.get<int64_t>("dec-depth") == 12);
    }
}

TEST_CASE("bool flags: bare, followed by a word, or with =", "[config]") {
    TempDir dir;
    const std::string on = dir.write("on.yml", "tied-embeddings-all: true\nrecompute: yes\n");
    CHECK(parse_options("train", {}).get<bool>("tied-embeddings-all") == false);
    CHECK(parse_options("train", {"--tied-embeddings-all"}).get<bool>("tied-embeddings-all") == true);
    CHECK(parse_options("train", {"-c", on}).get<bool>("tied-embeddings-all") == true);
    CHECK(parse_options("train", {"-c", on}).get<bool>("recompute") == true);
    CHECK(parse_options("train", {"-c", on, "--tied-embeddings-all", "false"}).get<bool>("tied-embeddings-all") == false);
    CHECK(parse_options("train", {"-c", on, "--tied-embeddings-all=false"}).get<bool>("tied-embeddings-all") == false);
    CHECK(parse_options("train", {"--tied-embeddings-all=true"}).get<bool>("tied-embeddings-all") == true);

    const ResolvedOptions o = parse_options("train", {"--recompute", "--enc-depth", "3"});
    CHECK(o.get<bool>("recompute") == true);
    CHECK(o.get<int64_t>("enc-depth") == 3);

    CHECK(user_error([] { parse_options("train", {"--quiet", "maybe"}); }) ==
          "unexpected argument 'maybe' on the command line after '--quiet' (options are written --name value)");
    CHECK(user_error([] { parse_options("train", {"--quiet=maybe"}); }) ==
          "option '--quiet' on the command line: expected true or false, got 'maybe'");
}

TEST_CASE("unknown YAML key names key, file, line and the closest option", "[config]") {
    TempDir dir;
    const std::string p = dir.write("run.yml", "enc-depth: 6\ndec-depth: 6\nenc-dpth: 3\n");
    CHECK(user_error([&] { parse_options("train", {"-c", p}); }) ==
          "unknown option 'enc-dpth' in " + p + " line 3; did you mean 'enc-depth'?");

    const std::string far = dir.write("far.yml", "\nzzzzqqqq: 1\n");
    const std::string msg = user_error([&] { parse_options("train", {"-c", far}); });
    CHECK_THAT(msg, StartsWith("unknown option 'zzzzqqqq' in " + far + " line 2"));
    CHECK_THAT(msg, !Contains("did you mean"));
}

TEST_CASE("unknown command-line flag suggests the closest", "[config]") {
    CHECK(user_error([] { parse_options("train", {"--enc-dpth", "3"}); }) ==
          "unknown option '--enc-dpth' on the command line; did you mean '--enc-depth'?");
    CHECK(user_error([] { parse_options("train", {"--tied-embedings"}); }) ==
          "unknown option '--tied-embedings' on the command line; did you mean '--tied-embeddings'?");
    CHECK_THAT(user_error([] { parse_options("train", {"-x"}); }), StartsWith("unknown option '-x' on the command line"));
    CHECK(user_error([] { parse_options("trian", {}); }) == "unknown subcommand 'trian'; did you mean 'train'?");
}

TEST_CASE("wrong type is rejected with key, file and line", "[config]") {
    TempDir dir;
    const std::string p = dir.write("run.yml", "dec-depth: 6\nenc-depth: six\n");
    CHECK(user_error([&] { parse_options("train", {"-c", p}); }) ==
          "option 'enc-depth' in " + p + " line 2: expected an integer, got 'six'");
    CHECK(user_error([] { parse_options("train", {"--enc-depth", "six"}); }) ==
          "option '--enc-depth' on the command line: expected an integer, got 'six'");

    const std::string frac = dir.write("frac.yml", "enc-depth: 6.5\n");
    CHECK_THAT(user_error([&] { parse_options("train", {"-c", frac}); }), Contains("expected an integer, got '6.5'"));
    const std::string list = dir.write("list.yml", "transformer-dropout: [0.1]\n");
    CHECK(user_error([&] { parse_options("train", {"-c", list}); }) ==
          "option 'transformer-dropout' in " + list + " line 1: expected a number, got a list");
    const std::string flag = dir.write("flag.yml", "quiet: 2\n");
    CHECK_THAT(user_error([&] { parse_options("train", {"-c", flag}); }), Contains("expected true or false, got '2'"));
}

TEST_CASE("enum value outside its set", "[config]") {
    TempDir dir;
    const std::string p = dir.write("run.yml", "transformer-norm: deepnrom\n");
    CHECK(user_error([&] { parse_options("train", {"-c", p}); }) ==
          "option 'transformer-norm' in " + p +
              " line 1: 'deepnrom' is not one of post, pre, deepnorm, subln; did you mean 'deepnorm'?");
    CHECK_THAT(user_error([] { parse_options("train", {"--transformer-ffn-activation", "swish"}); }),
               StartsWith("option '--transformer-ffn-activation' on the command line: 'swish' is not one of relu, gelu"));
    CHECK(parse_options("train", {"--transformer-ffn-activation", "gelu"}).get<std::string>("transformer-ffn-activation") == "gelu");
}

TEST_CASE("YAML syntax error and unreadable file", "[config]") {
    TempDir dir;
    const std::string p = dir.write("bad.yml", "enc-depth: 6\ndec-depth: : 2\n");
    CHECK_THAT(user_error([&] { parse_options("train", {"-c", p}); }), StartsWith("YAML syntax error in " + p + " line 2 column"));
    const std::string indent = dir.write("indent.yml", "enc-depth: 6\ndim-emb: 512\n  heads: 3\n");
    CHECK_THAT(user_error([&] { parse_options("train", {"-c", indent}); }), StartsWith("YAML syntax error in " + indent + " line 3 column"));
    const std::string missing = (std::filesystem::temp_directory_path() / "deepnet_no_such_config.yml").string();
    CHECK_THAT(user_error([&] { parse_options("train", {"-c", missing}); }), StartsWith("cannot open config file '" + missing + "'"));
    const std::string not_map = dir.write("list.yml", "- enc-depth\n");
    CHECK_THAT(user_error([&] { parse_options("train", {"-c", not_map}); }), Contains("must be a map"));
}

TEST_CASE("depth limits 1..1000 and other numeric limits", "[config]") {
    TempDir dir;
    for (const std::string key : {"enc-depth", "dec-depth"}) {
        for (const std::string bad : {"0", "1001", "-3"}) {
            const std::string p = dir.write("d.yml", key + ": " + bad + "\n");
            CHECK(user_error([&] { parse_options("train", {"-c", p}); }) ==
                  "option '" + key + "' in " + p + " line 1: " + bad + " is out of range (must be >= 1 and <= 1000)");
            CHECK_THAT(user_error([&] { parse_options("train", {"--" + key, bad}); }),
                       StartsWith("option '--" + key + "' on the command line: " + bad + " is out of range"));
        }
        CHECK(parse_options("train", {"--" + key, "1"}).get<int64_t>(key) == 1);
        CHECK(parse_options("train", {"--" + key, "1000"}).get<int64_t>(key) == 1000);
    }
    const std::string neg = dir.write("neg.yml", "transformer-dropout: -0.1\n");
    CHECK(user_error([&] { parse_options("train", {"-c", neg}); }) ==
          "option 'transformer-dropout' in " + neg + " line 1: -0.1 is out of range (must be >= 0 and < 1)");
    CHECK_THAT(user_error([] { parse_options("train", {"--transformer-dropout-ffn", "1"}); }), Contains("out of range"));
    CHECK_THAT(user_error([] { parse_options("train", {"--layer-norm-eps", "0"}); }), Contains("(must be > 0)"));
    // A negative number after a flag is its value, not a flag.
    CHECK_THAT(user_error([] { parse_options("train", {"--deepnorm-alpha-enc", "-1"}); }),
               StartsWith("option '--deepnorm-alpha-enc' on the command line: -1 is out of range"));
    CHECK(parse_options("train", {"--transformer-dropout", "0"}).get<double>("transformer-dropout") == 0.0);
}

TEST_CASE("dim-emb must be divisible by transformer-heads, message says where both came from", "[config]") {
    TempDir dir;
    const std::string p = dir.write("run.yml", "dim-emb: 500\n");
    CHECK(user_error([&] { parse_options("train", {"-c", p}); }) ==
          "dim-emb 500 (" + p + " line 1) is not divisible by transformer-heads 8 (the default)");
    CHECK(user_error([] { parse_options("train", {"--transformer-heads", "7"}); }) ==
          "dim-emb 512 (the default) is not divisible by transformer-heads 7 (the command line)");
    CHECK(parse_options("train", {"--transformer-heads", "16"}).get<int64_t>("transformer-heads") == 16);
}

TEST_CASE("duplicates, command-line-only keys, missing values", "[config]") {
    TempDir dir;
    const std::string dup = dir.write("dup.yml", "enc-depth: 6\ndim-emb: 256\nenc-depth: 8\n");
    CHECK(user_error([&] { parse_options("train", {"-c", dup}); }) ==
          "option 'enc-depth' appears twice in " + dup + " (lines 1 and 3)");
    const std::string nested = dir.write("nested.yml", "config: other.yml\n");
    CHECK(user_error([&] { parse_options("train", {"-c", nested}); }) ==
          "option 'config' in " + nested + " line 1 can only be given on the command line");
    CHECK(user_error([] { parse_options("train", {"--enc-depth", "3", "--enc-depth", "4"}); }) ==
          "option '--enc-depth' is given twice on the command line");
    CHECK(user_error([] { parse_options("train", {"--enc-depth", "--dec-depth", "4"}); }) ==
          "option '--enc-depth' on the command line needs a value (an integer)");
    CHECK_THAT(user_error([] { parse_options("train", {"model.npz"}); }), StartsWith("unexpected argument 'model.npz'"));
}

TEST_CASE("--help skips config files and checks", "[config]") {
    const ResolvedOptions o = parse_options("train", {"-h", "-c", "/nonexistent/deepnet.yml", "--transformer-heads", "7"});
    CHECK(o.get<bool>("help"));
    CHECK(common_config_from(o).help);
    CHECK_THROWS_AS(parse_options("train", {"-c", "/nonexistent/deepnet.yml"}), UserError);
}
