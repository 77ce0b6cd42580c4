// sacreBLEU's reading of lines (sacrebleu.py main()): rstrip() of every line, universal
// newlines and tab-separated systems on standard input.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "src/core/error.h"
#include "src/eval/cli_input.h"

using namespace deepnet::eval;
using Lines = std::vector<std::string>;

TEST_CASE("rstrip_line strips Python whitespace on the right only", "[eval]") {
    CHECK(rstrip_line("  a b \t\r", "x") == "  a b");
    // U+00A0, U+3000 and U+001F are str.isspace(); U+200B is not.
    CHECK(rstrip_line("a\xc2\xa0\xe3\x80\x80\x1f", "x") == "a");
    CHECK(rstrip_line("a\xe2\x80\x8b", "x") == "a\xe2\x80\x8b");
    CHECK(rstrip_line(" \t ", "x").empty());
    CHECK_THROWS_WITH(rstrip_line("a\xff", "ref.txt line 3"), Catch::Contains("ref.txt line 3"));
}

TEST_CASE("split_universal_newlines ends lines at CR, LF and CRLF", "[eval]") {
    CHECK(split_universal_newlines("a\nb\r\nc\rd") == Lines{"a", "b", "c", "d"});
    CHECK(split_universal_newlines("a\n\n") == Lines{"a", ""});
    CHECK(split_universal_newlines("a\r\r\n") == Lines{"a", ""});
    CHECK(split_universal_newlines("").empty());
}

TEST_CASE("stdin_systems reads one system per tab-separated column", "[eval]") {
    // The first line's fields are not rstripped one by one (only the whole line is).
    const auto systems = stdin_systems("a \tb\t\r\nc \t d \n");
    REQUIRE(systems.size() == 2);
    CHECK(systems[0] == Lines{"a ", "c"});
    CHECK(systems[1] == Lines{"b", " d"});
    CHECK(stdin_systems("x\ny\n") == std::vector<Lines>{{"x", "y"}});
    // readline() of an empty stream gives "": one system with one empty hypothesis.
    CHECK(stdin_systems("") == std::vector<Lines>{{""}});
    CHECK_THROWS_WITH(stdin_systems("a\tb\nc\n"),
                      Catch::Contains("standard input line 2 has 1 tab-separated fields but line 1 has 2"));
    CHECK(stdin_system_names(3, false) == Lines{"System 1", "System 2", "System 3"});
    CHECK(stdin_system_names(3, true) == Lines{"Baseline", "System 1", "System 2"});
}
