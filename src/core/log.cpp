// Logging to stderr with a wall-clock timestamp.
#include "src/core/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <mutex>

#include "src/core/error.h"

namespace deepnet::log {
namespace {
std::atomic<bool> g_quiet{false};
std::mutex g_file_mutex;
std::ofstream g_file;

std::string stamp_now() {
    std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    localtime_r(&t, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
    return stamp;
}

void to_file(const char* prefix, const std::string& line) {
    std::lock_guard<std::mutex> lock(g_file_mutex);
    if (g_file.is_open()) g_file << "[" << stamp_now() << "] " << prefix << line << std::endl;
}

void emit(const char* prefix, const std::string& line) {
    std::fprintf(stderr, "[%s] %s%s\n", stamp_now().c_str(), prefix, line.c_str());
}
}  // namespace

void set_quiet(bool q) { g_quiet = q; }
bool quiet() { return g_quiet; }
void set_file(const std::string& path) {
    std::lock_guard<std::mutex> lock(g_file_mutex);
    if (g_file.is_open()) g_file.close();
    if (path.empty()) return;
    g_file.open(path, std::ios::app);
    DEEPNET_USER_CHECK(g_file.good(), "cannot write the log file " << path);
}
void info(const std::string& line) {
    if (!g_quiet) emit("", line);
    to_file("", line);
}
void warn(const std::string& line) {
    emit("[warn] ", line);
    to_file("[warn] ", line);
}

}  // namespace deepnet::log
