// sacreBLEU's JSON output pieces against what Python's json module and repr() print
// (expected strings printed by Python 3.11: repr(float.fromhex(...)), json.dumps(s) and
// json.dumps(s, ensure_ascii=False)).
#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

#include "src/eval/json_report.h"

using namespace deepnet::eval;

TEST_CASE("py_float_repr writes floats as Python's repr", "[eval]") {
    const std::vector<std::pair<double, std::string>> cases = {
        {0x0.0p+0, "0.0"},
        {-0x0.0p+0, "-0.0"},
        {0x1.0000000000000p+0, "1.0"},
        {0x1.9000000000000p+6, "100.0"},
        {0x1.d000000000000p+3, "14.5"},
        {0x1.999999999999ap-4, "0.1"},
        {0x1.4f8b588e368f1p-17, "1e-05"},
        {0x1.f75104d551d69p-17, "1.5e-05"},
        {0x1.a36e2eb1c432dp-14, "0.0001"},
        {0x1.1c37937e08000p+53, "1e+16"},
        {0x1.c6bf526340000p+49, "1000000000000000.0"},
        {0x1.b69b4ba630f35p+56, "1.2345678901234568e+17"},
        {0x0.0000000000001p-1022, "5e-324"},
        {0x1.fffffffffffffp+1023, "1.7976931348623157e+308"},
        {0x1.04740b96cee14p+5, "32.55666272944305"},
        {0x1.446f86562d9fbp-7, "0.009900990099009901"},
        {0x1.a3637230afb37p-14, "9.999000099990002e-05"},
        {0x1.0aaaaaaaaaaaap+3, "8.333333333333332"},
        {0x1.5555555555555p-2, "0.3333333333333333"},
        {0x1.079a9d260511cp-1, "0.5148514851485149"},
        {0x1.0f0cf064dd592p+73, "1e+22"},
        {0x1.5ee2a2eb5a5c4p+53, "1.2345678901234568e+16"},
        {0x1.1c37937e07fffp+53, "9999999999999998.0"},
        {0x1.7cbe4fae8736ep+4, "23.796462709189136"},
        {0x1.f49384ae15d03p+5, "62.572030410805404"},
        {0x1.4efcd581762c8p+6, "83.746908209646"},
        {0x1.588959c65a506p-1, "0.6729229025487775"},
        {-0x1.b3a6ea414bd38p+80, "-2.0573084594207816e+24"},
        {-0x1.a07f67df878ebp+32, "-6987671519.529521"},
        {0x1.078a33a12722dp+52, "4636242076660269.0"},
        {-0x1.0d25caf0fae0bp+63, "-9.69706525334545e+18"},
        {0x1.cff507d097188p-94, "9.149941443070706e-29"},
    };
    for (const auto& [value, expected] : cases) {
        INFO(expected);
        CHECK(py_float_repr(value) == expected);
    }
}

TEST_CASE("json_string escapes as json.dumps, with and without ensure_ascii", "[eval]") {
    struct Case {
        std::string text, unicode, ascii;
    };
    const std::vector<Case> cases = {
        {"BLEU", "\"BLEU\"", "\"BLEU\""},
        {"a\"b\\c", "\"a\\\"b\\\\c\"", "\"a\\\"b\\\\c\""},
        {"tab\there\nnl\r\b\f", "\"tab\\there\\nnl\\r\\b\\f\"", "\"tab\\there\\nnl\\r\\b\\f\""},
        {"\x01\x1f\x7f", "\"\\u0001\\u001f\x7f\"", "\"\\u0001\\u001f\\u007f\""},
        {"μ = 1.0 ± 2.0", "\"μ = 1.0 ± 2.0\"", "\"\\u03bc = 1.0 \\u00b1 2.0\""},
        {"café 中文", "\"café 中文\"", "\"caf\\u00e9 \\u4e2d\\u6587\""},
        {"emoji \xf0\x9f\x98\x80 x", "\"emoji \xf0\x9f\x98\x80 x\"", "\"emoji \\ud83d\\ude00 x\""},
    };
    for (const Case& c : cases) {
        INFO(c.text);
        CHECK(json_string(c.text, false) == c.unicode);
        CHECK(json_string(c.text, true) == c.ascii);
    }
    // A file name that is not UTF-8 reaches Python through surrogateescape.
    CHECK(json_string("a\xff" "b", true) == "\"a\\udcffb\"");
}

TEST_CASE("score_json is Score.format(is_json=True) with the signature split out", "[eval]") {
    ScoreJson s{"chrF2", 62.49804702818915, "nrefs:1|bs:1000|seed:12345|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.4.0",
                "", ConfidenceInterval{66.25, 20.75}};
    // float(f'{x:.{w}f}') drops trailing zeros of the rounded value: width 2 gives 62.5.
    CHECK(score_json(s, 2) ==
          "{\n"
          " \"name\": \"chrF2\",\n"
          " \"score\": 62.5,\n"
          " \"signature\": \"nrefs:1|bs:1000|seed:12345|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.4.0\",\n"
          " \"confidence_mean\": 66.25,\n"
          " \"confidence_var\": 20.75,\n"
          " \"confidence\": \"μ = 66.25 ± 20.75\",\n"
          " \"nrefs\": \"1\",\n"
          " \"bs\": \"1000\",\n"
          " \"seed\": \"12345\",\n"
          " \"case\": \"mixed\",\n"
          " \"eff\": \"yes\",\n"
          " \"nc\": \"6\",\n"
          " \"nw\": \"0\",\n"
          " \"space\": \"no\",\n"
          " \"version\": \"2.4.0\"\n"
          "}");
    // A zero mean hides the interval (Score.format tests self._mean > 0); width 0 gives 62.0.
    s.confidence = ConfidenceInterval{0.0, 0.0};
    const std::string j = score_json(s, 0);
    CHECK(j.find("\"score\": 62.0,") != std::string::npos);
    CHECK(j.find("confidence") == std::string::npos);
    CHECK(single_results_json({"a", "b"}) == "[\na,\nb\n]\n");
    CHECK(single_results_json({"14.5"}) == "14.5\n");
}

TEST_CASE("multi_results_json is print_results_table's JSON list", "[eval]") {
    const std::vector<std::string> systems = {"Baseline: h1", "h\xc3\xa9"};
    PairedResult base{32.55666272944305, std::nullopt, std::nullopt, std::nullopt};
    PairedResult sys{25.0, 0.009900990099009901, std::nullopt, std::nullopt};
    CHECK(multi_results_json(systems, {{"TER", {}, {base, sys}}, {"BLEU", {"1.0", "2.0"}, {}}}) ==
          "[\n"
          "    {\n"
          "        \"system\": \"Baseline: h1\",\n"
          "        \"TER\": {\n"
          "            \"score\": 32.55666272944305,\n"
          "            \"p_value\": null,\n"
          "            \"mean\": null,\n"
          "            \"ci\": null\n"
          "        },\n"
          "        \"BLEU\": \"1.0\"\n"
          "    },\n"
          "    {\n"
          "        \"system\": \"h\\u00e9\",\n"
          "        \"TER\": {\n"
          "            \"score\": 25.0,\n"
          "            \"p_value\": 0.009900990099009901,\n"
          "            \"mean\": null,\n"
          "            \"ci\": null\n"
          "        },\n"
          "        \"BLEU\": \"2.0\"\n"
          "    }\n"
          "]\n");
}
