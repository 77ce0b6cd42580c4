// Integrity primitives: CRC-32C (standard check value, incremental use), the verify hook of
// the atomic writer, and the clean-up of temporary files left by killed runs.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "src/core/atomic_file.h"
#include "src/core/crc32c.h"
#include "src/core/error.h"

using namespace deepnet;

TEST_CASE("crc32c: standard check value, incremental equals whole", "[core][integrity]") {
    REQUIRE(crc32c_update(0, std::string("123456789")) == 0xE3069283u);
    REQUIRE(crc32c_update(0, std::string()) == 0u);
    std::string data;
    for (int i = 0; i < 1000; ++i) data += char(i * 7 + 3);
    const uint32_t whole = crc32c_update(0, data);
    for (size_t cut : {size_t(0), size_t(1), size_t(7), size_t(8), size_t(513), data.size()})
        REQUIRE(crc32c_update(crc32c_update(0, data.substr(0, cut)), data.substr(cut)) == whole);
    data[500] ^= 1;
    REQUIRE(crc32c_update(0, data) != whole);
}

TEST_CASE("write_file_atomic: a failed verification leaves the old file and no temp file", "[core][integrity]") {
    const std::string path = "test_integrity_verify.bin";
    write_file_atomic(path, std::string("old"));
    std::string seen;
    const auto produce = [](const ChunkSink& sink) { sink("new", 3); };
    REQUIRE_THROWS_WITH(write_file_atomic(path, produce,
                                          [&](const std::string& tmp) {
                                              seen = read_file(tmp);
                                              throw UserError("bad copy");
                                          }),
                        "bad copy");
    REQUIRE(seen == "new");  // the verifier saw the complete temporary file
    REQUIRE(read_file(path) == "old");
    REQUIRE(remove_stale_temp_files(path).empty());
    std::remove(path.c_str());
}

TEST_CASE("stale temporary files of dead processes are removed, live ones kept", "[core][integrity]") {
    const std::string path = "test_integrity_stale.safetensors";
    const pid_t child = fork();
    if (child == 0) _exit(0);
    waitpid(child, nullptr, 0);  // a pid that no longer runs
    const std::string dead = path + ".tmp." + std::to_string(child);
    const std::string live = path + ".tmp." + std::to_string(getppid());
    const std::string other = path + ".tmp.notapid";
    for (const std::string& f : {dead, live, other}) std::ofstream(f) << "x";
    const auto removed = remove_stale_temp_files(path);
    REQUIRE(removed.size() == 1);
    REQUIRE(removed[0] == "./" + dead);
    REQUIRE(!std::ifstream(dead).good());
    REQUIRE(std::ifstream(live).good());
    REQUIRE(std::ifstream(other).good());
    std::remove(live.c_str());
    std::remove(other.c_str());
}
