// SIGTERM / SIGINT during training: the handler only sets a flag; the trainer checks it
// after each update, saves a checkpoint and exits cleanly (a second signal kills at once).
#pragma once

namespace deepnet {

void install_stop_signal_handlers();
bool stop_requested();
int stop_signal();  // the signal number that asked to stop, 0 if none

}  // namespace deepnet
