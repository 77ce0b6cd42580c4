// Multilingual training: tags are added, the model file records its target languages, and
// the model translates into each of them.
#include <catch2/catch.hpp>

#include "src/io/model_file.h"
#include "train_fixture.h"

using namespace deepnet;
using namespace deepnet::test;

TEST_CASE("a both-directions run stores its target languages", "[train][multilingual]") {
    const std::string dir = make_task_dir("multi");
    auto a = tiny_run_args(dir, "m.safetensors");
    a.insert(a.end(), {"--both-directions", "--after-batches", "3"});
    REQUIRE(train_with(a) == 0);
    const LoadedModel m = load_model_file(dir + "/m.safetensors");
    REQUIRE(m.meta.target_languages == std::vector<std::string>{"en", "xx"});
    REQUIRE(m.meta.languages == std::vector<std::string>{"en", "xx"});

    auto b = tiny_run_args(dir, "bi.safetensors");
    b.insert(b.end(), {"--after-batches", "2"});
    REQUIRE(train_with(b) == 0);
    const LoadedModel bi = load_model_file(dir + "/bi.safetensors");
    REQUIRE(bi.meta.target_languages.empty());  // one target language: no tags
}
