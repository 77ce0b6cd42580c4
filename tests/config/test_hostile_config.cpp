// Config files that are not what they seem: a directory, a second YAML document that
// would be ignored, and values that are not UTF-8 (they would fail only at the first save).
#include <catch2/catch.hpp>

#include "src/config/command_line.h"
#include "tests/config/config_test_util.h"

using namespace deepnet;

TEST_CASE("hostile config files are input errors naming the file", "[config][hostile]") {
    test::TempDir dir;
    REQUIRE_THROWS_WITH(parse_options("train", {"-c", std::filesystem::path(dir.write("probe", "")).parent_path().string()}), Catch::Contains("is a directory"));
    const std::string two = dir.write("two.yml", "enc-depth: 2\n---\ndec-depth: 3\n");
    REQUIRE_THROWS_WITH(parse_options("train", {"-c", two}),
                        Catch::Contains(two) && Catch::Contains("second YAML document"));
    const std::string bad = dir.write("bad.yml", "valid-translation-output: \"a\\xff\"\nmodel: m\xff.safetensors\n");
    REQUIRE_THROWS_WITH(parse_options("train", {"-c", bad}), Catch::Contains("UTF-8"));
    REQUIRE_THROWS_WITH(parse_options("train", {"--model", "m\xc3.safetensors"}), Catch::Contains("UTF-8"));
    // Found by the fuzzer: yaml-cpp's LoadAll never ends on these and fills the memory.
    for (const char* text : {",", ",enc-depthse#\a,enc-depthset"}) {
        const std::string comma = dir.write("comma.yml", text);
        REQUIRE_THROWS_AS(parse_options("train", {"-c", comma}), UserError);
    }
    const std::string one = dir.write("one.yml", "---\nenc-depth: 2\n");
    REQUIRE(parse_options("train", {"-c", one}).get<int64_t>("enc-depth") == 2);
}
