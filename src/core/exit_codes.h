// The exit status of every deepnet command, distinct so that a wrapper script (a cluster
// job that requeues itself, a sweep) can tell what happened:
//   0  finished (training reached its stop condition; translation done)
//   1  training diverged: NaN/Inf losses, gradients or weights; nothing non-finite was
//      saved and the last good checkpoint is intact
//   2  input error: bad option, config, data or model file (the message says which)
//   3  internal error (a bug: please report it with the message)
//   75 stopped by SIGTERM/SIGINT after saving a checkpoint: rerun to resume (EX_TEMPFAIL
//      of sysexits.h, "try again later")
#pragma once

namespace deepnet {

constexpr int kExitFinished = 0;
constexpr int kExitDiverged = 1;
constexpr int kExitInputError = 2;
constexpr int kExitInternalError = 3;
constexpr int kExitStoppedBySignal = 75;

}  // namespace deepnet
