// The NCCL communicator: one rank per GPU (one process per GPU under mpirun). Collectives
// act on DEVICE buffers of this rank's GPU, are enqueued on the communicator's own CUDA
// stream and waited for before returning (polling cudaStreamQuery and NCCL's async error
// under dist-timeout), so the interface keeps the blocking semantics of Communicator.
// Bootstrap: rank 0 makes the ncclUniqueId and `bootstrap` (the MPI communicator) broadcasts
// it; the bootstrap also provides the host-side barrier and the job abort. Host scalars
// (loss and token sums, the stop flag) go through the bootstrap communicator.
// Built only with DEEPNET_WITH_NCCL (cmake/nccl.cmake); otherwise the factory throws.
#pragma once

#include <memory>

#include "src/dist/communicator.h"

namespace deepnet::dist {

// bootstrap must outlive the returned communicator; device: the CUDA device of this rank.
std::unique_ptr<Communicator> make_nccl_communicator(Communicator& bootstrap, int device);

}  // namespace deepnet::dist
