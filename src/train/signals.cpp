// Stop-signal flag (see signals.h).
#include "src/train/signals.h"

#include <csignal>

namespace deepnet {
namespace {
volatile std::sig_atomic_t g_signal = 0;

extern "C" void on_stop_signal(int sig) {
    if (g_signal != 0) {  // second signal: the user insists
        std::signal(sig, SIG_DFL);
        std::raise(sig);
        return;
    }
    g_signal = sig;
}
}  // namespace

void install_stop_signal_handlers() {
    g_signal = 0;
    std::signal(SIGTERM, on_stop_signal);
    std::signal(SIGINT, on_stop_signal);
}

bool stop_requested() { return g_signal != 0; }
int stop_signal() { return int(g_signal); }

}  // namespace deepnet
