// Tests for write_file_atomic and read_file: binary-safe round trip, replacement of an
// existing file, cleanup after a failing writer or a failing rename (old file intact, no
// temporary left behind) and I/O errors that name the path and the reason.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "src/core/atomic_file.h"
#include "src/core/error.h"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;

namespace {

struct AtomicTempDir {
    fs::path path;
    AtomicTempDir() {
        char tmpl[] = "/tmp/deepnet_atomic_XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        path = tmpl;
    }
    ~AtomicTempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    std::string file(const std::string& name) const { return (path / name).string(); }
};

std::vector<std::string> dir_entries(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

std::string temp_name_of(const std::string& path) { return path + ".tmp." + std::to_string(::getpid()); }

std::string user_error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const deepnet::UserError& e) {
        return e.what();
    }
    FAIL("expected a deepnet::UserError");
    return "";
}

}  // namespace

TEST_CASE("write_file_atomic round-trips arbitrary bytes through read_file", "[checkpoint]") {
    AtomicTempDir dir;
    const std::string path = dir.file("blob.bin");
    std::mt19937 rng(7);
    std::string bytes(200000, '\0');
    for (char& c : bytes) c = static_cast<char>(rng() & 0xFF);
    bytes[0] = '\0';  // NUL and 0xFF must survive: the file is binary, not text
    bytes[1] = '\xff';

    deepnet::write_file_atomic(path, bytes);
    CHECK(deepnet::read_file(path) == bytes);
    CHECK(dir_entries(dir.path) == std::vector<std::string>{"blob.bin"});
}

TEST_CASE("write_file_atomic replaces an existing file", "[checkpoint]") {
    AtomicTempDir dir;
    const std::string path = dir.file("ckpt");
    deepnet::write_file_atomic(path, std::string("old contents, longer than the new ones"));
    deepnet::write_file_atomic(path, std::string("new"));
    CHECK(deepnet::read_file(path) == "new");
    CHECK(dir_entries(dir.path) == std::vector<std::string>{"ckpt"});
}

TEST_CASE("streaming write_file_atomic concatenates the chunks in order", "[checkpoint]") {
    AtomicTempDir dir;
    const std::string path = dir.file("stream");
    deepnet::write_file_atomic(path, [](const deepnet::ChunkSink& sink) {
        sink("abc", 3);
        sink("", 0);
        sink("de\0f", 4);
        sink("ghij", 2);
    });
    CHECK(deepnet::read_file(path) == std::string("abcde\0fgh", 9));
}

TEST_CASE("a writer that throws midway leaves the old file and no temporary", "[checkpoint]") {
    AtomicTempDir dir;
    const std::string path = dir.file("model.safetensors");
    deepnet::write_file_atomic(path, std::string("the old checkpoint"));

    bool temp_existed_midway = false;
    const auto failing = [&](const deepnet::ChunkSink& sink) {
        sink("partial new data", 16);
        temp_existed_midway = fs::exists(temp_name_of(path));
        throw std::runtime_error("writer failed midway");
    };
    REQUIRE_THROWS_WITH(deepnet::write_file_atomic(path, failing), "writer failed midway");
    CHECK(temp_existed_midway);  // so the next checks see a real cleanup, not a no-op
    CHECK(deepnet::read_file(path) == "the old checkpoint");
    CHECK_FALSE(fs::exists(temp_name_of(path)));
    CHECK(dir_entries(dir.path) == std::vector<std::string>{"model.safetensors"});

    SECTION("and creates nothing when there was no old file") {
        const std::string fresh = dir.file("fresh");
        REQUIRE_THROWS_WITH(deepnet::write_file_atomic(fresh, failing), "writer failed midway");
        CHECK(dir_entries(dir.path) == std::vector<std::string>{"model.safetensors"});
    }
}

TEST_CASE("write_file_atomic reports I/O failures with the path and strerror", "[checkpoint]") {
    AtomicTempDir dir;

    SECTION("missing directory") {
        const std::string path = dir.file("no_such_dir/ckpt");
        const std::string msg = user_error_of([&] { deepnet::write_file_atomic(path, std::string("x")); });
        CHECK_THAT(msg, Contains(path));
        CHECK_THAT(msg, Contains(std::strerror(ENOENT)));
    }

    SECTION("rename over a non-empty directory fails after the data is written") {
        const std::string path = dir.file("occupied");
        fs::create_directory(path);
        std::ofstream(path + "/inside") << "keep";
        const std::string msg = user_error_of([&] { deepnet::write_file_atomic(path, std::string("x")); });
        CHECK_THAT(msg, Contains(path));
        CHECK_THAT(msg, Contains("rename"));
        CHECK_FALSE(fs::exists(temp_name_of(path)));
        CHECK(dir_entries(dir.path) == std::vector<std::string>{"occupied"});
        CHECK(deepnet::read_file(path + "/inside") == "keep");
    }
}

TEST_CASE("read_file names the file and the reason when it cannot read it", "[checkpoint]") {
    AtomicTempDir dir;

    SECTION("missing file") {
        const std::string path = dir.file("missing.safetensors");
        const std::string msg = user_error_of([&] { deepnet::read_file(path); });
        CHECK_THAT(msg, Contains(path));
        CHECK_THAT(msg, Contains(std::strerror(ENOENT)));
    }

    SECTION("a directory") {
        const std::string msg = user_error_of([&] { deepnet::read_file(dir.path.string()); });
        CHECK_THAT(msg, Contains(dir.path.string()));
        CHECK_THAT(msg, Contains(std::strerror(EISDIR)));
    }

    SECTION("empty file reads as empty") {
        const std::string path = dir.file("empty");
        std::ofstream(path).close();
        CHECK(deepnet::read_file(path).empty());
    }
}
