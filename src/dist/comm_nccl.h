// The NCCL communicator: one rank per GPU (one process per GPU under mpirun). Collectives
// act on DEVICE buffers of this rank's GPU, are enqueued on the communicator's own CUDA
// stream and waited for before returning (polling cudaStreamQuery and NCCL's async error
// under dist-timeout), so the interface keeps the blocking semantics of Communicator.
// Every collective first waits (on the GPU, not the host) for the work queued so far on the
// compute stream, so a gradient bucket is reduced after the kernels that wrote it; the
// gradient all-reduce is asynchronous (start_all_reduce_sum, complete after
// wait_reductions), so it overlaps the backward of the layers below.
// Bootstrap: rank 0 makes the ncclUniqueId and `bootstrap` (the MPI communicator, or the
// single one for a 1-rank job) broadcasts it; the bootstrap also provides the host-side
// barrier and the job abort. Host scalars (loss and token sums, the stop flag) never come
// here: DataParallel sends them through the bootstrap communicator.
// Built only with DEEPNET_WITH_NCCL (cmake/nccl.cmake); otherwise the factory throws.
#pragma once

#include <memory>

#include "src/dist/communicator.h"

namespace deepnet::dist {

// bootstrap must outlive the returned communicator; device: the CUDA device of this rank;
// compute_stream: the cudaStream_t the model's kernels run on (null: the default stream).
std::unique_ptr<Communicator> make_nccl_communicator(Communicator& bootstrap, int device,
                                                     void* compute_stream = nullptr);

}  // namespace deepnet::dist
