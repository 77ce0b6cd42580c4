// Watches this rank's waits in collectives from a separate thread (blocking MPI calls cannot
// be interrupted from inside; the thread touches nothing of MPI, which is FUNNELED):
//  - timeout: a wait longer than the timeout prints which collective hung and exits the
//    process with code 4, so the launcher (mpirun) ends the other ranks;
//  - signal: when a stop signal arrived (the probe returns non-zero) while this rank has
//    been waiting for over half a second, it says so once. mpirun ends a job whose rank died
//    with SIGTERM, then SIGKILL one second later, which leaves no other moment for a
//    surviving rank to print a line.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace deepnet::dist {

class Watchdog {
public:
    explicit Watchdog(std::string who);  // who: "rank 1 of 2", for the messages
    ~Watchdog();
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;

    void set_timeout(double seconds);  // 0 = never
    void set_signal_probe(std::function<int()> probe);

    // Watches one wait for as long as it lives (not when inactive: a patient wait keeps the
    // signal note but has no timeout).
    class Scope {
    public:
        Scope(Watchdog& w, const char* what, bool timed = true);
        ~Scope();
        Scope(const Scope&) = delete;
        Scope& operator=(const Scope&) = delete;

    private:
        Watchdog* w_;
    };

private:
    using Clock = std::chrono::steady_clock;
    void arm(const char* what, bool timed);
    void disarm();
    void loop();

    std::string who_;
    double timeout_ = 0;
    std::function<int()> probe_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool armed_ = false, timed_ = false, quit_ = false, noted_ = false;
    const char* what_ = "";
    Clock::time_point since_;
    std::thread thread_;
};

}  // namespace deepnet::dist
