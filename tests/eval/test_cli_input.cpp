// sacreBLEU's reading of lines (sacrebleu.py main()): rstrip() of every line, universal
// newlines and tab-separated systems on standard input, files opened as plain UTF-8 (a byte
// order mark stays), -nr's tab-separated references and SACREBLEU_FORMAT. Expected values
// follow sacrebleu.py and utils.smart_open as read in mjpost/sacrebleu (the stored 2.x
// sacrebleu.py at commit 078c440168c6adc89ba75fe6d63f0d922d42bcfe and a later 2.2+ version
// with the same reading code; see docs/metrics.md).
#include <catch2/catch.hpp>

#include <unistd.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
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

TEST_CASE("split_tab_references is sacreBLEU's -nr reading of one reference file", "[eval]") {
    // refs = line.split(sep='\t', maxsplit=args.num_refs - 1): at most N fields, the last one
    // keeps further tabs; the fields are not stripped; field r goes to stream r.
    auto streams = split_tab_references({"a\tb", "c \t d\te", "\tf"}, 2, "r.txt");
    REQUIRE(streams.size() == 2);
    CHECK(streams[0] == Lines{"a", "c ", ""});
    CHECK(streams[1] == Lines{"b", " d\te", "f"});
    streams = split_tab_references({"a\tb\tc"}, 3, "r.txt");
    CHECK(streams == std::vector<Lines>{{"a"}, {"b"}, {"c"}});
    // An empty file: max(len(ref_files), num_refs) empty streams.
    CHECK(split_tab_references({}, 3, "r.txt") == std::vector<Lines>(3));
    // Fewer fields: sacreBLEU's "FATAL: line {lineno}: expected {N} fields, but found {K}."
    // (it exits with 17; here a UserError naming the file).
    CHECK_THROWS_AS(split_tab_references({"a\tb", "c"}, 2, "r.txt"), deepnet::UserError);
    CHECK_THROWS_WITH(split_tab_references({"a\tb", "c"}, 2, "r.txt"),
                      Catch::Contains("r.txt: line 2: expected 2 fields, but found 1."));
    CHECK_THROWS_WITH(split_tab_references({"a\tb"}, 3, "r.txt"),
                      Catch::Contains("line 1: expected 3 fields, but found 2."));
    // The line was rstrip()ped first, so a trailing tab is no empty field.
    CHECK_THROWS_WITH(split_tab_references({rstrip_line("a\t", "x")}, 2, "r.txt"),
                      Catch::Contains("expected 2 fields, but found 1."));
    // N < 1: a negative maxsplit splits at every tab, and no count can match.
    CHECK_THROWS_WITH(split_tab_references({"a\tb"}, 0, "r.txt"),
                      Catch::Contains("line 1: expected 0 fields, but found 2."));
    CHECK(split_tab_references({}, -1, "r.txt") == std::vector<Lines>(1));
}

namespace {

std::string temp_file(const std::string& name, const std::string& bytes) {
    const std::string path = "cli_input_" + std::to_string(::getpid()) + "_" + name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
}

}  // namespace

TEST_CASE("read_cli_file reads as open(encoding='utf-8', newline='\\n'): a BOM stays", "[eval]") {
    // utf-8, not utf-8-sig: U+FEFF (EF BB BF) is the first character of line 1.
    std::string path = temp_file("bom.txt", "\xef\xbb\xbfthe cat \r\nsat\r\x0bon\n\nlast");
    CHECK(read_cli_file(path) == Lines{"\xef\xbb\xbfthe cat", "sat\r\x0bon", "", "last"});
    std::filesystem::remove(path);
    // A BOM later in the file, or alone, is text too.
    path = temp_file("bom2.txt", "\xef\xbb\xbf\na\xef\xbb\xbf\n");
    CHECK(read_cli_file(path) == Lines{"\xef\xbb\xbf", "a\xef\xbb\xbf"});
    std::filesystem::remove(path);
    path = temp_file("empty.txt", "");
    CHECK(read_cli_file(path).empty());
    std::filesystem::remove(path);
    // gzip, as before: decompressed, and the BOM inside kept.
    path = "cli_input_" + std::to_string(::getpid()) + "_bom.gz";
    gzFile gz = gzopen(path.c_str(), "wb");
    REQUIRE(gz != nullptr);
    const std::string text = "\xef\xbb\xbfx y\nz\n";
    gzwrite(gz, text.data(), static_cast<unsigned>(text.size()));
    gzclose(gz);
    CHECK(read_cli_file(path) == Lines{"\xef\xbb\xbfx y", "z"});
    std::filesystem::remove(path);
    // The checks every text line gets, naming file and line.
    path = temp_file("bad.txt", "ok\nbad\xff\n");
    CHECK_THROWS_WITH(read_cli_file(path), Catch::Contains(path + ":2: invalid UTF-8 (byte offset 3)"));
    std::filesystem::remove(path);
    CHECK_THROWS_WITH(read_cli_file("no_such_file_for_eval.txt"), Catch::Contains("cannot open 'no_such_file_for_eval.txt'"));
}

TEST_CASE("format_from_env reads SACREBLEU_FORMAT as sacreBLEU's parse_args does", "[eval]") {
    const char* old = std::getenv("SACREBLEU_FORMAT");
    const std::optional<std::string> saved = old ? std::optional<std::string>(old) : std::nullopt;
    ::unsetenv("SACREBLEU_FORMAT");
    CHECK(!format_from_env());
    // os.environ['SACREBLEU_FORMAT'].lower() in ['json', 'text', 'latex'], else ignored.
    ::setenv("SACREBLEU_FORMAT", "JSON", 1);
    CHECK(format_from_env() == std::optional<std::string>("json"));
    ::setenv("SACREBLEU_FORMAT", "LaTeX", 1);
    CHECK(format_from_env() == std::optional<std::string>("latex"));
    ::setenv("SACREBLEU_FORMAT", "text", 1);
    CHECK(format_from_env() == std::optional<std::string>("text"));
    for (const char* ignored : {"", "html", " json", "json "}) {
        ::setenv("SACREBLEU_FORMAT", ignored, 1);
        CHECK(!format_from_env());
    }
    if (saved)
        ::setenv("SACREBLEU_FORMAT", saved->c_str(), 1);
    else
        ::unsetenv("SACREBLEU_FORMAT");
}
