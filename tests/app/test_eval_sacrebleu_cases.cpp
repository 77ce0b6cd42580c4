// `deepnet eval` against sacreBLEU 2.x's own output: random corpora and options (TER
// options, BLEU smoothing and tokenizers, chrF++, widths, -b, --confidence, several
// systems, --paired-bs, --paired-ar, SACREBLEU_SEED; with the generator's --extras also
// -nr, --short, -f latex, SACREBLEU_FORMAT and byte order marks), each with the exact text
// sacreBLEU printed for it. tests/eval/data/sacrebleu_cli_cases.txt is written by
// scripts/gen_sacrebleu_expectations.py (see there for how sacreBLEU was run).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "support/run_binary.h"

using deepnet::test::run_binary;

namespace {

struct CliCase {
    std::string name, args, env;
    std::map<std::string, std::vector<std::string>> files;  // ref0, ref1, hyp0, ...
    std::string expected;
};

std::vector<CliCase> read_cases(const std::string& path) {
    std::ifstream in(path);
    REQUIRE(in.good());
    std::vector<CliCase> cases;
    std::string line;
    auto take = [&](std::size_t n) {
        std::vector<std::string> lines(n);
        for (auto& l : lines) REQUIRE(std::getline(in, l));
        return lines;
    };
    while (std::getline(in, line)) {
        if (line.rfind("=== ", 0) == 0) {
            cases.push_back({line.substr(4), "", "", {}, ""});
        } else if (line.rfind("args ", 0) == 0) {
            cases.back().args = line.substr(5);
        } else if (line.rfind("env ", 0) == 0) {  // one line per variable (SACREBLEU_SEED, SACREBLEU_FORMAT)
            cases.back().env += (cases.back().env.empty() ? "" : " ") + line.substr(4);
        } else if (line.rfind("file ", 0) == 0) {
            std::istringstream fields(line.substr(5));
            std::string name;
            std::size_t n = 0;
            fields >> name >> n;
            cases.back().files[name] = take(n);
        } else if (line.rfind("expect ", 0) == 0) {
            for (const std::string& l : take(std::stoul(line.substr(7)))) cases.back().expected += l + "\n";
        } else {
            FAIL("unexpected line in the case file: " << line);
        }
    }
    return cases;
}

}  // namespace

TEST_CASE("eval prints what sacreBLEU 2.x prints (generated cases)", "[app][eval]") {
    const auto cases = read_cases(std::string(DEEPNET_SOURCE_DIR) + "/tests/eval/data/sacrebleu_cli_cases.txt");
    REQUIRE(cases.size() >= 20);
    // Its own folder: the files are named ref0, hyp0, ... as sacreBLEU saw them.
    const std::string dir = "eval_sacrebleu_cases";
    std::filesystem::create_directories(dir);
    for (const CliCase& c : cases) {
        INFO(c.name << ": deepnet eval " << c.args);
        std::string refs, hyps;
        for (const auto& [name, lines] : c.files) {
            // Names as the generator gave them: the table shows hypothesis files by name.
            std::ofstream out(dir + "/" + name);
            for (const std::string& l : lines) out << l << "\n";
            (name.rfind("ref", 0) == 0 ? refs : hyps) += " " + name;
        }
        // The cases were generated with -f text; SACREBLEU_FORMAT would override it.
        const std::string binary = "cd " + dir + " && env -u SACREBLEU_FORMAT " + (c.env.empty() ? "" : c.env + " ") +
                                   DEEPNET_BINARY;
        const auto r = run_binary("eval -r" + refs + " -i" + hyps + " " + c.args, binary);
        CHECK(r.code == 0);
        CHECK(r.out == c.expected);
    }
}
