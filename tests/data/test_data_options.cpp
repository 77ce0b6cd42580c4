// Option group "Data": defaults and the typed DataConfig, value limits, and the cross-field
// checks (pairs of files, one joint vocabulary, train-langs per corpus) naming the option
// and where its value came from. Uses its own CommandSpec, so it does not depend on which
// subcommands list the group.
#include <catch2/catch.hpp>

#include "src/config/data_config.h"
#include "src/config/option_groups.h"
#include "src/config/option_value.h"
#include "tests/config/config_test_util.h"

using namespace deepnet;
using deepnet::test::user_error;
using Catch::Matchers::Contains;

namespace {

const CommandSpec& data_command() {
    static const CommandSpec spec{"datatest", "data options only", {data_options()}, {check_data_options}, {}};
    return spec;
}

using List = std::vector<std::string>;

std::string check_error(ResolvedOptions& opts) {
    return user_error([&] { check_data_options(opts, opts.warnings()); });
}

}  // namespace

TEST_CASE("Data options: defaults and DataConfig", "[data]") {
    ResolvedOptions opts(data_command());
    std::vector<std::string> warnings;
    check_data_options(opts, warnings);  // the defaults pass the checks
    const DataConfig d = data_config_from(opts);
    CHECK(d.train_sets.empty());
    CHECK(d.vocab_path.empty());
    CHECK(d.sentencepiece_max_lines == 2000000);
    CHECK(d.max_length == 100);
    CHECK(d.mini_batch == 0);
    CHECK(d.mini_batch_words == 4096);
    CHECK(d.maxi_batch == 100);
    CHECK(d.shuffle == ShuffleMode::Data);
    CHECK(d.sampling_temperature == 5.0);
    CHECK_FALSE(d.both_directions);
    CHECK_FALSE(d.lang_tags);

    opts.set("train-sets", List{"a.en", "a.de", "b.en", "b.fr"}, Provenance::command_line());
    opts.set("train-langs", List{"en-de", "en-fr"}, Provenance::command_line());
    opts.set("vocabs", List{"joint.spm", "./joint.spm"}, Provenance::command_line());
    opts.set("shuffle", std::string("batches"), Provenance::command_line());
    opts.set("mini-batch-words", int64_t(2000), Provenance::command_line());
    opts.set("both-directions", true, Provenance::command_line());
    check_data_options(opts, warnings);
    const DataConfig e = data_config_from(opts);
    CHECK(e.train_sets.size() == 4);
    CHECK(e.train_langs == List{"en-de", "en-fr"});
    CHECK(e.vocab_path == "joint.spm");
    CHECK(e.shuffle == ShuffleMode::Batches);
    CHECK(e.mini_batch_words == 2000);
    CHECK(e.both_directions);
    CHECK(warnings.empty());
}

TEST_CASE("Data options: limits on single values", "[data]") {
    const OptionGroup g = data_options();
    auto spec = [&](const std::string& name) -> const OptionSpec& {
        for (const auto& o : g.options)
            if (o.name == name) return o;
        FAIL("no option " << name);
        throw;
    };
    CHECK_THROWS_AS(check_value(spec("shuffle"), std::string("random")), ValueError);
    CHECK_NOTHROW(check_value(spec("shuffle"), std::string("none")));
    CHECK_THROWS_AS(check_value(spec("sampling-temperature"), 0.0), ValueError);
    CHECK_THROWS_AS(check_value(spec("mini-batch-words"), int64_t(0)), ValueError);
    CHECK_THROWS_AS(check_value(spec("max-length"), int64_t(0)), ValueError);
    CHECK_NOTHROW(check_value(spec("mini-batch"), int64_t(0)));
    for (const auto& o : g.options) CHECK(o.name != "dim-vocabs");  // lives in group Model
}

TEST_CASE("Data options: cross-field checks name the option and its source", "[data]") {
    ResolvedOptions opts(data_command());
    opts.set("train-sets", List{"a.en", "a.de", "b.en"}, Provenance::in_file("run.yml", 4));
    std::string msg = check_error(opts);
    CHECK_THAT(msg, Contains("train-sets (run.yml line 4) has 3 files"));

    opts.set("train-sets", List{"a.en", "a.de"}, Provenance::command_line());
    opts.set("valid-sets", List{"v.en"}, Provenance::command_line());
    CHECK_THAT(check_error(opts), Contains("valid-sets (the command line) has 1 files"));
    opts.set("valid-sets", List{"v.en", "v.de"}, Provenance::command_line());

    opts.set("vocabs", List{"src.spm", "trg.spm"}, Provenance::in_file("run.yml", 7));
    msg = check_error(opts);
    CHECK_THAT(msg, Contains("only a joint vocabulary is supported"));
    CHECK_THAT(msg, Contains("src.spm and trg.spm"));
    CHECK_THAT(msg, Contains("run.yml line 7"));
    opts.set("vocabs", List{"a.spm", "a.spm", "a.spm"}, Provenance::command_line());
    CHECK_THAT(check_error(opts), Contains("has 3 files"));
    opts.set("vocabs", List{"a.spm"}, Provenance::command_line());

    opts.set("train-langs", List{"en-de", "en-fr"}, Provenance::command_line());
    CHECK_THAT(check_error(opts), Contains("train-langs (the command line) has 2 entries but "
                                           "train-sets has 1 corpora"));
    opts.set("train-langs", List{"ende"}, Provenance::command_line());
    CHECK_THAT(check_error(opts), Contains("'ende'"));
    opts.set("train-langs", List{"en-de"}, Provenance::command_line());
    CHECK(check_error(opts) == "<no error thrown>");
}
