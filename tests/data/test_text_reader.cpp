// Text input: plain and gzip (chosen by magic bytes, not name) read the same lines, CRLF
// and a missing final newline, UTF-8 validation with file:line and byte offset, and the
// errors for missing files, directories and corrupt gzip data.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>

#include "src/core/atomic_file.h"
#include "src/data/text_reader.h"
#include "tests/data/data_test_util.h"

using namespace deepnet;
using deepnet::test::TempDir;
using deepnet::test::user_error;
using Catch::Matchers::Contains;

TEST_CASE("plain and gzip files read the same lines, format by magic bytes", "[data]") {
    TempDir dir;
    std::string text = "first line\r\nzweite Zeile: Straße\n\nlast line without newline";
    const std::string long_line(3u << 20, 'x');  // longer than the 1 MiB read chunk
    text = long_line + "\n" + text;
    const std::vector<std::string> expected = {long_line, "first line", "zweite Zeile: Straße", "",
                                               "last line without newline"};
    // Deliberately misleading names: the plain file ends in .gz, the gzip file does not.
    const std::string plain = dir.write("plain.de.gz", text);
    const std::string gz = deepnet::test::write_gzip(dir, "compressed.de", text);
    CHECK_FALSE(is_gzip_file(plain));
    CHECK(is_gzip_file(gz));
    CHECK(read_lines(plain) == expected);
    CHECK(read_lines(gz) == expected);

    TextReader reader(gz);
    std::string line;
    REQUIRE(reader.next(line));
    REQUIRE(reader.next(line));
    CHECK(line == "first line");
    CHECK(reader.line_number() == 2);
}

TEST_CASE("empty file has no lines, a byte order mark is dropped", "[data]") {
    TempDir dir;
    CHECK(read_lines(dir.write("bom.en", "\xEF\xBB\xBFhello\nworld\n")) ==
          std::vector<std::string>{"hello", "world"});
    CHECK(read_lines(dir.write("empty.en", "")).empty());
    CHECK(read_lines(deepnet::test::write_gzip(dir, "empty.en.gz", "")).empty());
}

TEST_CASE("invalid UTF-8 is reported with file, line and byte offset", "[data]") {
    TempDir dir;
    const std::string text = "ok\nstill ok ä\nabcd\xC3(rest\nnot reached\n";
    for (bool gzip : {false, true}) {
        const std::string path = gzip ? deepnet::test::write_gzip(dir, "bad.gz", text)
                                       : dir.write("bad.txt", text);
        const std::string msg = user_error([&] { read_lines(path); });
        CHECK_THAT(msg, Contains(path + ":3: invalid UTF-8 (byte offset 4)"));
    }
}

TEST_CASE("find_invalid_utf8 rejects overlong, surrogate, too large and cut sequences", "[data]") {
    CHECK_FALSE(find_invalid_utf8("plain ASCII").has_value());
    CHECK_FALSE(find_invalid_utf8("Straße €  𝄞 ").has_value());
    CHECK(find_invalid_utf8("ab\xC0\x80") == std::optional<size_t>(2));      // overlong NUL
    CHECK(find_invalid_utf8("\xE0\x80\xAF") == std::optional<size_t>(0));    // overlong '/'
    CHECK(find_invalid_utf8("x\xED\xA0\x80") == std::optional<size_t>(1));   // surrogate D800
    CHECK(find_invalid_utf8("\xF4\x90\x80\x80") == std::optional<size_t>(0)); // > U+10FFFF
    CHECK(find_invalid_utf8("abc\xE2\x82") == std::optional<size_t>(3));     // cut at the end
    CHECK(find_invalid_utf8("\x80") == std::optional<size_t>(0));            // stray continuation
    CHECK(find_invalid_utf8("\xFF") == std::optional<size_t>(0));
}

TEST_CASE("missing file, directory and corrupt gzip are UserErrors naming the file", "[data]") {
    TempDir dir;
    const std::string missing = dir.write("x", "") + ".missing.en";
    const std::string msg = user_error([&] { TextReader r(missing); });
    CHECK_THAT(msg, Contains("cannot open '" + missing + "'"));
    CHECK_THAT(msg, Contains("No such file"));

    const std::string sub = dir.write("x", "");
    std::remove(sub.c_str());
    std::filesystem::create_directory(sub);
    CHECK_THAT(user_error([&] { TextReader r(sub); }), Contains("'" + sub + "' is a directory"));

    const std::string full = deepnet::test::write_gzip(
        dir, "full.gz", deepnet::test::join_lines(deepnet::test::make_lines(2000, "en", 3)));
    const std::string gz_bytes = read_file(full);
    const std::string truncated = dir.write("truncated.gz", gz_bytes.substr(0, gz_bytes.size() / 2));
    CHECK_THAT(user_error([&] { read_lines(truncated); }),
               Contains("cannot decompress '" + truncated + "'"));
}
