// What the trainer needs for data-parallel training, in one object; with one rank (no
// mpirun) every call is a no-op and the trainer runs exactly its single-process path.
//
// The scheme (docs/distributed.md): every rank walks the same global batch stream; an
// update takes world x optimizer-delay micro-batches, rank r computes micro-batches r, r+W,
// ... of them, each with the dropout key of its global index. The local gradient sums are
// all-reduced (or reduce-scattered with optimizer-sharding) with the loss and token sums,
// and every rank applies the same AdamW update. So W ranks with optimizer-delay d equal one
// process with optimizer-delay W x d, up to the float32 order of the gradient sum.
// Rank 0 alone logs, validates and writes checkpoints; the others wait for it (patient
// waits, exempt from dist-timeout).
//
// GPU ranks (use_device): the model's buffers (weights, gradients) live on the GPU. With
// NCCL they are reduced device to device on NCCL's stream, ordered after the compute
// stream; with MPI each bucket is copied to a host mirror of the gradient, reduced there
// and copied back after the wait. Host scalars (loss and token sums, the stop signal,
// progress) always go through the launcher's communicator.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "src/config/dist_config.h"
#include "src/core/error.h"
#include "src/core/param_store.h"
#include "src/dist/communicator.h"
#include "src/dist/sharded_adam.h"

namespace deepnet::dist {

// The statistics of one update, summed over its micro-batches.
struct UpdateSums {
    double loss = 0, nll = 0;
    int64_t tokens = 0, sentences = 0;
};

class DataParallel {
public:
    // The communicator from the launcher's environment (see make_communicator). signal_probe:
    // the pending stop signal, for the note of a rank signalled while it waits (optional).
    explicit DataParallel(const DistConfig& cfg, std::function<int()> signal_probe = {});
    DataParallel(std::unique_ptr<Communicator> comm, const DistConfig& cfg, std::function<int()> signal_probe = {});
    ~DataParallel();

    Communicator& comm() { return *comm_; }
    // The model's buffers live on `device` (its kernels queued on `stream`, a cudaStream_t):
    // chooses how they are reduced (cfg.backend; nccl_usable: false on the emulated GPU,
    // which has no NCCL). Call once, before start(). A UserError for an impossible choice.
    void use_device(const Device& device, void* stream, bool nccl_usable);
    // "mpi", "nccl" or "mpi, through host memory" (GPU buffers reduced by MPI).
    std::string buffer_backend() const;
    // Whether the hooks do anything: several ranks, or a 1-rank NCCL job (its check run).
    bool active() const { return world() > 1 || nccl_ != nullptr; }
    int rank() const { return comm_->rank(); }
    int world() const { return comm_->size(); }
    bool root() const { return comm_->rank() == 0; }
    bool sharded() const { return cfg_.optimizer_sharding && world() > 1; }

    // Micro-batch k of an update (0 <= k < world x optimizer-delay) is computed by rank k % world.
    bool mine(int64_t k) const { return k % world() == rank(); }

    // Runs fn on rank 0, then on the others: steps that may write shared files (the vocabulary).
    template <class F>
    void root_first(F&& fn) {
        if (root()) fn();
        comm_->barrier(true);
        if (!root()) fn();
    }

    // After loading or initialising: every rank takes rank 0's weights, and the ranks must agree
    // on the training progress (the same state file); progress: any fixed-size numbers.
    void start(FlatView<float> params, const std::vector<int64_t>& progress);

    // For the backward of this rank's last micro-batch of an update: each layer's gradient
    // bucket starts its all-reduce as soon as the layer is done, while the layers below still
    // compute. Empty (no hook) on one rank and with sharding.
    std::function<void(int64_t begin, int64_t end)> overlap_hook(FlatView<float> grad);
    // After the local backward passes: the update's statistics summed over ranks, and the
    // gradient all-reduced: the buckets the hook did not start (embeddings, output layer,
    // final norms), then a wait for all (not with sharding: sharded_step reduce-scatters).
    void reduce(FlatView<float> grad, UpdateSums& sums);

    // ZeRO-1 (sharded() only; otherwise init_sharding does nothing): init_sharding keeps this
    // rank's shard of the loaded moments (empty = a fresh start) and frees the full vectors;
    // sharded_step is the AdamW step; gather_moments fills the full moments on rank 0.
    void init_sharding(std::vector<float>& m, std::vector<float>& v, int64_t n, const AdamConfig& hyper);
    UpdateInfo sharded_step(FlatView<float> params, FlatView<float> grad, double lr, double grad_scale,
                            int64_t& steps);
    void gather_moments(std::vector<float>& m, std::vector<float>& v);

    // Before a checkpoint: all ranks must hold the same weights (else a rank diverged: error).
    void check_same(FlatView<float> params);
    // The largest x over the ranks (the stop signal: any rank's signal stops all).
    int64_t max_over_ranks(int64_t x);
    // Each entry replaced by its smallest value over the ranks (non-negative counts below 2^53).
    void min_over_ranks(std::vector<int64_t>& xs);
    // Rank 0's value on every rank, waiting patiently (rank 0 may be validating).
    void share_from_root(int64_t& x);
    // The other ranks wait here while rank 0 validates or saves.
    void wait_for_root();

    // Runs the training function; an exception on any rank prints its message and ends the
    // whole job (exit code 2 for a UserError, 3 otherwise), on one rank it simply propagates.
    template <class F>
    int run_guarded(F&& fn) {
        if (world() == 1) return fn();
        try {
            return fn();
        } catch (const UserError& e) {
            comm_->abort(std::string("error: ") + e.what(), 2);
        } catch (const std::exception& e) {
            comm_->abort(std::string("internal error: ") + e.what(), 3);
        }
        return 3;  // not reached: abort ends the job
    }

    // "2 ranks (mpi): communication 12.3 ms per update, 4.1 % of the training time" (empty on one rank).
    std::string summary() const;

private:
    // Starts the sum of grad[begin, end) on the buffers' communicator (through the host
    // mirror when staged).
    void start_sum(FlatView<float> grad, int64_t begin, int64_t end);

    std::unique_ptr<Communicator> comm_;
    std::unique_ptr<Communicator> nccl_;  // GPU buffers' communicator when NCCL reduces them
    Communicator* buffers_ = nullptr;     // who reduces the model's buffers: comm_ or nccl_
    bool staged_ = false;                 // GPU buffers reduced by MPI through host_grad_
    std::vector<float> host_grad_;        // the host mirror of the gradient (staged only)
    DistConfig cfg_;
    std::unique_ptr<ShardedAdam> adam_;
    std::vector<std::pair<int64_t, int64_t>> started_;  // buckets the hook started, this update
    double comm_seconds_ = 0;
    int64_t updates_ = 0;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace deepnet::dist
