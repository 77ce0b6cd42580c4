// The communicator of a data-parallel job: which rank this process is among how many, the
// collectives data parallelism needs, and a clean end of the whole job. Implementations:
//   single   (comm_single.cpp) one process: every collective is the identity;
//   MPI      (comm_mpi.cpp)    one rank per process under mpirun (CPU ranks), host buffers;
//   NCCL     (comm_nccl.cpp)   one rank per GPU, device buffers, bootstrapped through MPI
//                              (built only with DEEPNET_WITH_NCCL).
// Buffers are flat float/double arrays, sizes in elements (64-bit). Every rank must call
// the same collectives in the same order with the same sizes. Sums are element-wise and every
// rank receives the same bits. Blocking collectives are watched by the timeout (see
// set_timeout); a `patient` wait (for rank 0's validation or saving) is not.
// src/dist is a leaf: it knows src/core, src/config and kernels/, nothing of the model.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace deepnet::dist {

// How a flat buffer of n elements is cut into one contiguous shard per rank (ZeRO-1):
// shard r is [offset[r], offset[r] + count[r]); all shards but the last hold a multiple of
// `align` elements; a shard may be empty when n is small.
struct ShardPlan {
    std::vector<int64_t> offset, count;
};
ShardPlan shard_plan(int64_t n, int world, int64_t align = 16);

class Communicator {
public:
    virtual ~Communicator() = default;
    virtual int rank() const = 0;
    virtual int size() const = 0;
    virtual std::string backend() const = 0;  // "single", "mpi" or "nccl"

    // A collective that waits longer than `seconds` for the other ranks prints a message and
    // ends this rank with exit code 4 (the launcher then ends the others); 0 = never.
    virtual void set_timeout(double seconds) = 0;
    // probe() returns the pending stop signal (0 = none): a rank that receives one while it
    // waits in a collective says so (mpirun ends a job whose rank died with SIGTERM + SIGKILL).
    virtual void set_signal_probe(std::function<int()> probe) { (void)probe; }

    // In place: data[i] = sum over ranks of data[i] (max for all_reduce_max).
    virtual void all_reduce_sum(float* data, int64_t n) = 0;
    virtual void all_reduce_sum(double* data, int64_t n) = 0;
    virtual void all_reduce_max(double* data, int64_t n) = 0;
    // Non-blocking in-place sum (gradient buckets overlapped with the backward): starts now,
    // is complete after wait_reductions(); progress() lets the library advance the started
    // ones between pieces of local work (Open MPI progresses only inside MPI calls). The
    // buffer must not be touched until wait_reductions(). Default: blocking.
    virtual void start_all_reduce_sum(float* data, int64_t n) { all_reduce_sum(data, n); }
    virtual void progress() {}
    virtual void wait_reductions() {}
    // Rank root's bytes to every rank. patient: no timeout (root may be validating or saving).
    virtual void broadcast(void* data, int64_t bytes, int root, bool patient) = 0;
    virtual void barrier(bool patient) = 0;

    // ZeRO-1. full: this rank's (n) buffer; mine: (plan.count[rank()]) receives the sum over
    // ranks of full's shard of this rank.
    virtual void reduce_scatter_sum(const float* full, float* mine, const ShardPlan& plan) = 0;
    // In place on an (n) buffer: each rank's own shard goes to every rank.
    virtual void all_gather(float* data, const ShardPlan& plan) = 0;
    // mine: this rank's shard (plan.count[rank()]); full: (n) on root, which receives every
    // shard at its offset; unused on the other ranks (may be null).
    virtual void gather(const float* mine, float* full, const ShardPlan& plan, int root) = 0;

    // Prints "deepnet: rank R of N: <message>" on stderr and ends the whole job with exit code
    // `code` on every rank (MPI_Abort). The single-process implementation exits the process.
    [[noreturn]] virtual void abort(const std::string& message, int code) = 0;
};

// The world size the launcher announces in the environment (OMPI_COMM_WORLD_SIZE for Open
// MPI, PMI_SIZE for MPICH/Hydra and Slurm), 1 when not launched by mpirun.
int launcher_world_size();
// This process's rank among the ranks of its node (OMPI_COMM_WORLD_LOCAL_RANK, MPI_LOCALRANKID
// for MPICH/Hydra, SLURM_LOCALID), or `fallback` when the launcher announces none: it picks
// the rank's GPU from --devices.
int launcher_local_rank(int fallback);
bool built_with_mpi();
bool built_with_nccl();

// The communicator for this process: single when the launcher announces no ranks (or one;
// MPI is then never initialised), MPI otherwise. A process launched by mpirun with several
// ranks in a build without MPI gets a UserError saying how to rebuild.
std::unique_ptr<Communicator> make_communicator();

}  // namespace deepnet::dist
