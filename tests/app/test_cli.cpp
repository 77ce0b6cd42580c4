// The deepnet binary as a user meets it: exit codes and one-line error messages.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include "support/run_binary.h"

namespace {

using deepnet::test::Run;

Run run(const std::string& args, const std::string& binary = DEEPNET_BINARY) {
    return deepnet::test::run_binary(args, binary);
}

std::string alias_path(const std::string& name) {
    std::string b = DEEPNET_BINARY;
    return b.substr(0, b.rfind('/') + 1) + name;
}

}  // namespace

TEST_CASE("deepnet --help lists the subcommands, train --help lists options with defaults", "[app]") {
    Run r = run("--help");
    REQUIRE(r.code == 0);
    REQUIRE(r.out.find("train") != std::string::npos);
    r = run("train --help");
    REQUIRE(r.code == 0);
    REQUIRE(r.out.find("--enc-depth") != std::string::npos);
    REQUIRE(r.out.find("(default: 6)") != std::string::npos);
    REQUIRE(r.out.find("--transformer-norm") != std::string::npos);
}

TEST_CASE("deepnet-train alias dispatches on argv[0]", "[app]") {
    const Run r = run("--dump-config --enc-depth 12 --dec-depth 12", alias_path("deepnet-train"));
    REQUIRE(r.code == 0);
    REQUIRE(r.out.find("enc-depth: 12") != std::string::npos);
    // encoder alpha for 12L-12L: 0.81 * (12^5)^(1/16) = 1.7609
    REQUIRE(r.out.find("deepnorm-alpha-enc: 1.76") != std::string::npos);
}

TEST_CASE("bad input: one message naming key, file and line, non-zero exit", "[app]") {
    {
        std::ofstream f("cli_bad.yml");
        f << "enc-depth: 6\ndim-emb: 512\nenc-dpth: 4\n";
    }
    Run r = run("train -c cli_bad.yml --dump-config");
    REQUIRE(r.code == 2);
    REQUIRE(r.out.find("enc-dpth") != std::string::npos);
    REQUIRE(r.out.find("cli_bad.yml line 3") != std::string::npos);
    REQUIRE(r.out.find("did you mean 'enc-depth'") != std::string::npos);
    {
        std::ofstream f("cli_bad2.yml");
        f << "enc-depth: [1, 2\n";
    }
    r = run("train -c cli_bad2.yml");
    REQUIRE(r.code == 2);
    REQUIRE(r.out.find("cli_bad2.yml") != std::string::npos);
    r = run("trian");
    REQUIRE(r.code == 2);
    REQUIRE(r.out.find("did you mean 'train'") != std::string::npos);
    r = run("train --enc-depth 1001 --dump-config");
    REQUIRE(r.code == 2);
    REQUIRE(r.out.find("enc-depth") != std::string::npos);
}
