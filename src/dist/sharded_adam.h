// ZeRO stage 1 (Rajbhandari et al. 2019, arXiv 1910.02054): AdamW whose moments are sharded
// over the ranks. Rank r owns the contiguous shard plan.offset[r] .. + plan.count[r] of the
// flat parameter buffer and keeps m and v for it alone (2 x 4 bytes x n / world instead of
// 2 x 4 x n). One step:
//   g_r = reduce-scatter(local gradients)           (the sum over ranks of shard r)
//   AdamW on shard r: the one AdamW step of src/ops/adamw.h, its gradient norm summed over
//                     the ranks (all-reduce of sum g_r^2)
//   params = all-gather(shards)
// The communication volume equals one all-reduce (reduce-scatter + all-gather). Checkpoints
// gather the moments to rank 0, so the training state file has the unsharded format.
#pragma once

#include <cstdint>
#include <vector>

#include "src/dist/communicator.h"
#include "src/ops/adamw.h"

namespace deepnet::dist {

using ops::AdamConfig;
using ops::UpdateInfo;  // grad_norm of the summed gradient; finite false: no rank updated

class ShardedAdam {
public:
    ShardedAdam(Communicator& comm, int64_t n, const AdamConfig& hyper);
    const ShardPlan& plan() const { return plan_; }

    // params, grad: (n), identical params on every rank, each rank's local gradient sum.
    // steps: updates applied so far (incremented when the update is applied).
    UpdateInfo step(float* params, const float* grad, double lr, double grad_scale, int64_t& steps);

    // Resume: keep this rank's shard of the full moments (empty vectors = zeros), then free them.
    void load(std::vector<float>& m, std::vector<float>& v);
    // Checkpoint: the full moments on rank 0 (n each); the other ranks get empty vectors.
    void gather(std::vector<float>& m, std::vector<float>& v);

private:
    Communicator& comm_;
    int64_t n_;
    AdamConfig hyper_;
    ShardPlan plan_;
    std::vector<float> m_, v_, grad_;  // this rank's shard
};

}  // namespace deepnet::dist
