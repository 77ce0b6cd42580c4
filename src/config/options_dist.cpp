// Group "Distributed": data-parallel training with `mpirun -np N deepnet train ...` (one
// rank per process; see docs/distributed.md), and its typed form DistConfig.
#include "src/config/dist_config.h"
#include "src/config/option_groups.h"

namespace deepnet {

OptionGroup dist_options() {
    return {"Distributed", {
        bool_option("optimizer-sharding", false, "ZeRO stage 1 under mpirun: each rank keeps the Adam "
                    "moments of its 1/N of the parameters, updates that shard and all-gathers the "
                    "weights (the training state file still holds the full moments)"),
        int_option("dist-timeout", 600, "Under mpirun: end the whole job with a message when a rank waits "
                   "longer than this many seconds for the others in one collective (a rank died or "
                   "hangs); waits for rank 0's validation or saving are exempt; 0 = wait forever")
            .at_least(0),
        string_option("distributed-backend", "auto", "Who all-reduces the gradients of GPU ranks "
                      "(mpirun -np N deepnet train --devices ...): nccl (device to device, overlapped with "
                      "the backward), mpi (copied through host memory), auto = nccl when several GPU ranks "
                      "run and this deepnet was built with NCCL, else mpi. nccl with one process runs a "
                      "1-rank NCCL job (a check of the NCCL path on one GPU). CPU ranks always use MPI")
            .one_of({"auto", "nccl", "mpi"}),
    }};
}

DistConfig dist_config_from(const ResolvedOptions& o) {
    DistConfig d;
    d.optimizer_sharding = o.get<bool>("optimizer-sharding");
    d.timeout_seconds = o.get<int64_t>("dist-timeout");
    d.backend = o.get<std::string>("distributed-backend");
    return d;
}

}  // namespace deepnet
