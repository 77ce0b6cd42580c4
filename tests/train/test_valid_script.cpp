// Marian's validation script (src/train/valid_script.h): the score is the number the
// script prints, it gets its arguments and the translation file as Marian passes them, a
// failing or silent script is a clear error; and a tiny training run with --valid-metrics
// translation records the script's number in the JSON log (and in --valid-log).
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "src/train/valid_script.h"
#include "src/train/validator.h"
#include "train_fixture.h"

using namespace deepnet;
using namespace deepnet::test;
using Catch::Matchers::Contains;

namespace {

// An executable shell script at dir/name.
std::string script(const std::string& dir, const std::string& name, const std::string& body) {
    const std::string path = std::filesystem::absolute(dir + "/" + name).string();
    std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
    ::chmod(path.c_str(), 0755);
    return path;
}

std::string error_of(const ValidScript& s, const std::string& file) {
    try {
        run_valid_script(s, file);
    } catch (const UserError& e) {
        return e.what();
    }
    return "<no error>";
}

}  // namespace

TEST_CASE("valid script: its stdout's number is the score, with Marian's arguments", "[marian][train]") {
    const std::string dir = "valid_script_test";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    CHECK(run_valid_script({script(dir, "fixed.sh", "echo ' 42.5'; echo 'BLEU+case.mixed'"), {}}, "") == 42.5);
    // As in Marian: the script and its arguments go to the shell as written, the file last.
    const std::string args = script(dir, "args.sh", "echo \"$(($1 + $2)) $3\"");
    const std::string lines = std::filesystem::absolute(dir + "/it's hyps.txt").string();
    std::ofstream(lines) << "a\nb\nc\n";
    CHECK(run_valid_script({args, {"2", "5"}}, lines) == 7);
    const std::string count = script(dir, "count.sh", "wc -l < \"$1\"");
    CHECK(run_valid_script({"sh " + count, {}}, lines) == 3);
    CHECK(score_translations({count, {}}, {"x", "y"}, "") == 2);  // a temporary file
    const std::string kept = dir + "/valid.out";
    CHECK(score_translations({count, {}}, {"x", "y", "z", "w"}, kept) == 4);
    CHECK(file_bytes(kept) == "x\ny\nz\nw\n");

    CHECK_THAT(error_of({script(dir, "fail.sh", "echo oops; exit 3"), {}}, ""),
               Contains("exit status 3") && Contains("'oops'"));
    CHECK_THAT(error_of({script(dir, "words.sh", "echo BLEU = 12.3"), {}}, ""),
               Contains("printed 'BLEU = 12.3'") && Contains("does not start with a number"));
    CHECK_THAT(error_of({dir + "/missing.sh 2>/dev/null", {}}, ""), Contains("failed (exit status 127)"));
    CHECK(metric_improves("translation", 30, 20));
    CHECK(metric_improves("valid-script", 30, 20));
    CHECK_FALSE(metric_improves("translation", 10, 20));
}

TEST_CASE("valid-metrics translation: the JSON log carries the script's score", "[marian][train]") {
    const std::string dir = make_task_dir("valid_script", 200);
    // The score is the number of translations the script was given: the 20 validation lines.
    const std::string validate = script(dir, "validate.sh", "wc -l < \"$1\"");
    std::vector<std::string> args = tiny_run_args(dir, "model.safetensors");
    args.insert(args.end(), {"--valid-sets", dir + "/valid.en", dir + "/valid.xx", "--after-batches", "4",
                             "--valid-freq", "2", "--valid-metrics", "ce-mean-words", "translation",
                             "--valid-script-path", validate, "--valid-log", dir + "/valid.log",
                             "--valid-translation-output", dir + "/hyps.txt", "--overwrite", "--sync-sgd"});
    REQUIRE(train_with(args) == 0);
    const std::string log = dir + "/model.safetensors.train.jsonl";
    CHECK(json_field(log, "valid", "value").size() == 4);  // 2 validations x 2 metrics
    std::vector<std::string> values;
    std::ifstream in(log);
    for (std::string line; std::getline(in, line);)
        if (line.find("\"metric\":\"translation\"") != std::string::npos) values.push_back(line);
    REQUIRE(values.size() == 2);
    for (const auto& v : values) CHECK_THAT(v, Contains("\"value\":20,"));
    CHECK(std::filesystem::exists(dir + "/model.best-translation.safetensors"));
    const std::string hyps = file_bytes(dir + "/hyps.txt");  // all of them: the file the script got
    CHECK(std::count(hyps.begin(), hyps.end(), '\n') == 20);
    const std::string valid_log = file_bytes(dir + "/valid.log");
    CHECK_THAT(valid_log, Contains("[valid] Ep. 1 : Up. 2 : translation : 20.0000 : new best"));
    CHECK_THAT(valid_log, Contains("Up. 4 : cross-entropy"));
}

TEST_CASE("keep-best false: no best-model copies", "[marian][train]") {
    const std::string dir = make_task_dir("keep_best", 200);
    std::vector<std::string> args = tiny_run_args(dir, "model.safetensors");
    args.insert(args.end(), {"--valid-sets", dir + "/valid.en", dir + "/valid.xx", "--after-batches", "2",
                             "--valid-freq", "2", "--valid-metrics", "cross-entropy", "--keep-best", "false"});
    REQUIRE(train_with(args) == 0);
    CHECK(std::filesystem::exists(dir + "/model.safetensors"));
    CHECK_FALSE(std::filesystem::exists(dir + "/model.best-cross-entropy.safetensors"));
}
