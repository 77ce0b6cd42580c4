// Typed options of group "Distributed" (data-parallel training under mpirun), filled once
// by dist_config_from; see docs/distributed.md. The world size and rank are not options:
// they come from the launcher (mpirun).
#pragma once

#include <cstdint>
#include <string>

#include "src/config/resolved_options.h"

namespace deepnet {

struct DistConfig {
    bool optimizer_sharding = false;  // ZeRO stage 1: Adam moments sharded over the ranks
    int64_t timeout_seconds = 600;    // a collective waiting longer ends the job; 0 = never
    // Who reduces the gradients of GPU ranks: "nccl", "mpi" (through host memory) or "auto"
    // (NCCL when several GPU ranks run in a build with NCCL, else MPI). CPU ranks use MPI.
    std::string backend = "auto";
};

DistConfig dist_config_from(const ResolvedOptions& opts);

}  // namespace deepnet
