// Running the built deepnet binary (or an alias) as a user would, from a shell command line,
// with stdout and stderr captured together.
#pragma once

#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace deepnet::test {

struct Run {
    int code;         // exit status; -1 when killed by a signal
    std::string out;  // stdout and stderr
};

inline Run run_binary(const std::string& args, const std::string& binary = DEEPNET_BINARY) {
    const std::string cmd = binary + " " + args + " 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    std::string out;
    std::array<char, 4096> buf;
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
    const int status = pclose(p);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

}  // namespace deepnet::test
