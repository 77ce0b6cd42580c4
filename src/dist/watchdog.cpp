// Collective timeout (see watchdog.h).
#include "src/dist/watchdog.h"

#include <cstdio>
#include <cstdlib>

namespace deepnet::dist {

Watchdog::Watchdog(std::string who) : who_(std::move(who)) {}

Watchdog::~Watchdog() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        quit_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void Watchdog::set_timeout(double seconds) { timeout_ = seconds; }

void Watchdog::arm(const char* what) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
    armed_ = true;
    what_ = what;
    deadline_ = std::chrono::steady_clock::now() +
                std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(timeout_));
    cv_.notify_all();
}

void Watchdog::disarm() {
    std::lock_guard<std::mutex> lock(mu_);
    armed_ = false;
}

void Watchdog::loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!quit_) {
        if (!armed_) {
            cv_.wait(lock);
            continue;
        }
        const auto deadline = deadline_;
        if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && armed_ && deadline_ == deadline) {
            std::fprintf(stderr,
                         "deepnet: error: %s: waited %.0f s for the other ranks in %s: a rank died, hangs or "
                         "was stopped. Ending the job (exit code 4); the last complete checkpoint is intact, "
                         "rerun the same command to resume (dist-timeout sets the limit).\n",
                         who_.c_str(), timeout_, what_);
            std::fflush(stderr);
            std::_Exit(4);
        }
    }
}

Watchdog::Scope::Scope(Watchdog& w, const char* what, bool active) : w_(nullptr) {
    if (!active || w.timeout_ <= 0) return;
    w_ = &w;
    w.arm(what);
}

Watchdog::Scope::~Scope() {
    if (w_) w_->disarm();
}

}  // namespace deepnet::dist
