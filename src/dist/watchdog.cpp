// Collective timeout and the note on a stop signal during a wait (see watchdog.h).
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

void Watchdog::set_timeout(double seconds) {
    timeout_ = seconds;
}

void Watchdog::set_signal_probe(std::function<int()> probe) {
    probe_ = std::move(probe);
}

void Watchdog::arm(const char* what, bool timed) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
    armed_ = true;
    timed_ = timed && timeout_ > 0;
    what_ = what;
    since_ = Clock::now();
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
        const auto deadline =
            since_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(timeout_));
        auto wake = Clock::now() + std::chrono::milliseconds(100);
        if (!probe_ && timed_) wake = deadline;
        if (timed_ && deadline < wake) wake = deadline;
        cv_.wait_until(lock, wake);
        if (!armed_ || quit_) continue;
        const auto now = Clock::now();
        if (timed_ && now >= deadline) {
            std::fprintf(stderr,
                         "deepnet: error: %s: waited %.0f s for the other ranks in %s: a rank died, hangs or "
                         "was stopped. Ending the job (exit code 4); the last complete checkpoint is intact, "
                         "rerun the same command to resume (dist-timeout sets the limit).\n",
                         who_.c_str(), timeout_, what_);
            std::fflush(stderr);
            std::_Exit(4);
        }
        const int sig = probe_ ? probe_() : 0;
        if (sig != 0 && !noted_ && now - since_ > std::chrono::milliseconds(500)) {
            noted_ = true;
            std::fprintf(stderr,
                         "deepnet: %s: signal %d while waiting for the other ranks in %s; if the job is being "
                         "ended (a rank died, or mpirun was signalled), the last complete checkpoint is intact: "
                         "rerun the same command to resume.\n",
                         who_.c_str(), sig, what_);
            std::fflush(stderr);
        }
    }
}

Watchdog::Scope::Scope(Watchdog& w, const char* what, bool timed) : w_(nullptr) {
    if (w.timeout_ <= 0 && !w.probe_) return;
    w_ = &w;
    w.arm(what, timed);
}

Watchdog::Scope::~Scope() {
    if (w_) w_->disarm();
}

}  // namespace deepnet::dist
