// Text input that is not text: NUL bytes, endless lines (/dev/zero), pipes as training
// corpora, and a pipe read by the line reader without losing its first bytes.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "src/core/error.h"
#include "src/data/text_reader.h"

using namespace deepnet;

TEST_CASE("NUL bytes and endless lines are errors naming the file and line", "[data][hostile]") {
    const std::string path = "test_hostile_nul.txt";
    {
        std::ofstream f(path, std::ios::binary);
        f << "fine\n" << std::string("bad\0line\n", 9);
    }
    TextReader r(path);
    std::string line;
    REQUIRE(r.next(line));
    REQUIRE_THROWS_WITH(r.next(line), Catch::Contains(path + ":2") && Catch::Contains("NUL"));
    std::remove(path.c_str());
    TextReader zero("/dev/zero");
    REQUIRE_THROWS_WITH(zero.next(line), Catch::Contains("longer than"));
}

TEST_CASE("a pipe is read whole by one open; training corpora must be regular files", "[data][hostile]") {
    const std::string fifo = "test_hostile_fifo";
    ::unlink(fifo.c_str());
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    std::thread writer([&] { std::ofstream(fifo) << "first line\nsecond line\n"; });
    const std::vector<std::string> lines = read_lines(fifo);
    writer.join();
    REQUIRE(lines == std::vector<std::string>{"first line", "second line"});
    REQUIRE_THROWS_WITH(require_regular_file(fifo, "training reads it twice"),
                        Catch::Contains("not a regular file") && Catch::Contains("training reads it twice"));
    REQUIRE_THROWS_AS(require_regular_file("/dev/zero", "x"), UserError);
    ::unlink(fifo.c_str());
}
