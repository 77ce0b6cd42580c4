// Value conversion: every type formats to YAML text that converts back to the identical
// value (what the --dump-config round trip rests on), strict scalar parsing, and the edit
// distance behind "did you mean".
#include <catch2/catch.hpp>
#include <yaml-cpp/yaml.h>

#include "src/config/option_value.h"
#include "src/config/suggest.h"

using namespace deepnet;

namespace {

OptionValue through_yaml(const OptionSpec& spec, const OptionValue& v) {
    const YAML::Node root = YAML::Load("key: " + format_value(v) + "  # comment\n");
    return value_from_yaml(spec, root["key"]);
}

}  // namespace

TEST_CASE("every option type survives format -> YAML -> value", "[config]") {
    const std::vector<std::string> nasty = {"", "plain", "true", "~", "null", "a: b", "x #y", "a,b", "[a]", "-", "6"};
    for (const auto& s : nasty) {
        INFO("string '" << s << "'");
        const OptionSpec spec = string_option("k", "", "");
        CHECK(through_yaml(spec, s) == OptionValue{s});
    }
    const OptionSpec strings = string_list_option("k", {}, "");
    CHECK(through_yaml(strings, nasty) == OptionValue{nasty});
    CHECK(through_yaml(strings, std::vector<std::string>{}) == OptionValue{std::vector<std::string>{}});

    const std::vector<int64_t> ints = {-3, 0, 9000000000LL};
    CHECK(through_yaml(int_list_option("k", {}, ""), ints) == OptionValue{ints});
    const std::vector<double> doubles = {0.1, 1e-5, 1.0 / 3, -2.5, 1e300, 0.0};
    CHECK(through_yaml(double_list_option("k", {}, ""), doubles) == OptionValue{doubles});

    const OptionSpec d = double_option("k", 0, "");
    for (double x : {0.1, 1.0 / 3, 1e-5, 2.0, -7.25, 1.4183300132670378}) CHECK(through_yaml(d, x) == OptionValue{x});
    const OptionSpec od = optional_double_option("k", "");
    CHECK(through_yaml(od, std::optional<double>{}) == OptionValue{std::optional<double>{}});
    CHECK(through_yaml(od, std::optional<double>{0.1}) == OptionValue{std::optional<double>{0.1}});
    CHECK(through_yaml(int_option("k", 0, ""), int64_t{-42}) == OptionValue{int64_t{-42}});
    CHECK(through_yaml(bool_option("k", false, ""), true) == OptionValue{true});
    CHECK(through_yaml(bool_option("k", true, ""), false) == OptionValue{false});
}

TEST_CASE("doubles print in their shortest exact form", "[config]") {
    CHECK(format_double(0.1) == "0.1");
    CHECK(format_double(1e-5) == "1e-05");
    CHECK(format_double(2048) == "2048");
    CHECK(format_double(1000) == "1000");
    CHECK(format_double(-0.5) == "-0.5");
    CHECK(format_double(1e20) == "1e+20");
    CHECK(std::stod(format_double(1.0 / 3)) == 1.0 / 3);
}

TEST_CASE("scalar parsing is strict", "[config]") {
    const OptionSpec i = int_option("k", 0, "");
    CHECK(value_from_words(i, {"12"}) == OptionValue{int64_t{12}});
    CHECK_THROWS_AS(value_from_words(i, {" 12"}), ValueError);
    CHECK_THROWS_AS(value_from_words(i, {"12abc"}), ValueError);
    CHECK_THROWS_AS(value_from_words(i, {"99999999999999999999"}), ValueError);
    const OptionSpec d = double_option("k", 0, "");
    CHECK_THROWS_AS(value_from_words(d, {"nan"}), ValueError);
    CHECK_THROWS_AS(value_from_words(d, {"inf"}), ValueError);
    CHECK_THROWS_AS(value_from_words(d, {""}), ValueError);
    const OptionSpec il = int_list_option("k", {}, "");
    CHECK(value_from_words(il, {"1", "2"}) == OptionValue{std::vector<int64_t>{1, 2}});
    CHECK_THROWS_AS(value_from_words(il, {"1", "two"}), ValueError);
    // A YAML scalar counts as a one-element list.
    CHECK(value_from_yaml(string_list_option("k", {}, ""), YAML::Load("a.en")) ==
          OptionValue{std::vector<std::string>{"a.en"}});
    CHECK_THROWS_AS(value_from_yaml(string_list_option("k", {}, ""), YAML::Load("[a, [b]]")), ValueError);
    CHECK_THROWS_AS(value_from_yaml(int_option("k", 0, ""), YAML::Load("{a: 1}")), ValueError);
    CHECK_THROWS_AS(value_from_yaml(int_option("k", 0, ""), YAML::Node()), ValueError);
}

TEST_CASE("limits and allowed values apply to list elements too", "[config]") {
    OptionSpec il = int_list_option("k", {}, "");
    il.range(1, 10);
    CHECK_NOTHROW(check_value(il, std::vector<int64_t>{1, 10}));
    CHECK_THROWS_AS(check_value(il, std::vector<int64_t>{1, 11}), ValueError);
    OptionSpec sl = string_list_option("k", {}, "");
    sl.one_of({"bleu", "chrf"});
    CHECK_NOTHROW(check_value(sl, std::vector<std::string>{"chrf"}));
    CHECK_THROWS_AS(check_value(sl, std::vector<std::string>{"bleu", "ter"}), ValueError);
}

TEST_CASE("edit distance and closest match", "[config]") {
    CHECK(edit_distance("enc-dpth", "enc-depth") == 1);
    CHECK(edit_distance("deepnrom", "deepnorm") == 1);  // transposition counts once
    CHECK(edit_distance("", "abc") == 3);
    CHECK(edit_distance("kitten", "sitting") == 3);
    CHECK(closest_match("enc_depth", {"dec-depth", "enc-depth"}) == "enc-depth");
    CHECK(closest_match("foo", {"log", "seed"}).empty());
    CHECK(closest_match("sed", {"log", "seed"}) == "seed");
}
