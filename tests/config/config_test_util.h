// Helpers for the config tests: YAML fixtures written to a fresh temp directory by the
// test itself, and capturing the message of the UserError a call throws.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "src/core/error.h"

namespace deepnet::test {

class TempDir {
public:
    TempDir() {
        static std::atomic<int> counter{0};
        path_ = std::filesystem::temp_directory_path() /
                ("deepnet_config_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    // Writes text to <dir>/<name> and returns the full path.
    std::string write(const std::string& name, const std::string& text) const {
        const std::string p = (path_ / name).string();
        std::ofstream(p) << text;
        return p;
    }

private:
    std::filesystem::path path_;
};

// The UserError message f throws, or a marker no expected message contains.
inline std::string user_error(const std::function<void()>& f) {
    try {
        f();
    } catch (const UserError& e) {
        return e.what();
    } catch (const std::exception& e) {
        return std::string("<not a UserError: ") + e.what() + ">";
    }
    return "<no error thrown>";
}

}  // namespace deepnet::test
