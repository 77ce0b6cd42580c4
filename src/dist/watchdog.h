// Ends this rank when it waits too long in one collective: a thread sleeps until the
// deadline of the wait in progress; if the wait has not finished by then, it prints which
// collective hung and exits the process with code 4, so the launcher (mpirun) ends the other
// ranks. Blocking MPI calls cannot be interrupted from inside, hence a separate thread,
// which touches nothing of MPI (the MPI library is initialised FUNNELED).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace deepnet::dist {

class Watchdog {
public:
    explicit Watchdog(std::string who);  // who: "rank 1 of 2", for the message
    ~Watchdog();
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;

    void set_timeout(double seconds);  // 0 = never

    // Watches one wait for as long as it lives (nothing when inactive or the timeout is 0).
    class Scope {
    public:
        Scope(Watchdog& w, const char* what, bool active = true);
        ~Scope();
        Scope(const Scope&) = delete;
        Scope& operator=(const Scope&) = delete;

    private:
        Watchdog* w_;
    };

private:
    void arm(const char* what);
    void disarm();
    void loop();

    std::string who_;
    double timeout_ = 0;
    std::mutex mu_;
    std::condition_variable cv_;
    bool armed_ = false, quit_ = false;
    const char* what_ = "";
    std::chrono::steady_clock::time_point deadline_;
    std::thread thread_;
};

}  // namespace deepnet::dist
