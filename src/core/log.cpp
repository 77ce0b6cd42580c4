// Logging to stderr with a wall-clock timestamp.
#include "src/core/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace deepnet::log {
namespace {
std::atomic<bool> g_quiet{false};

void emit(const char* prefix, const std::string& line) {
    std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    localtime_r(&t, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
    std::fprintf(stderr, "[%s] %s%s\n", stamp, prefix, line.c_str());
}
}  // namespace

void set_quiet(bool q) { g_quiet = q; }
bool quiet() { return g_quiet; }
void info(const std::string& line) {
    if (!g_quiet) emit("", line);
}
void warn(const std::string& line) { emit("[warn] ", line); }

}  // namespace deepnet::log
