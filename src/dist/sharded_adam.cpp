// ZeRO-1 AdamW (see sharded_adam.h).
#include "src/dist/sharded_adam.h"

#include "src/core/error.h"

namespace deepnet::dist {

ShardedAdam::ShardedAdam(Communicator& comm, int64_t n, const AdamConfig& hyper)
    : comm_(comm), n_(n), hyper_(hyper), plan_(shard_plan(n, comm.size())) {
    const size_t mine = size_t(plan_.count[size_t(comm.rank())]);
    m_.assign(mine, 0.f);
    v_.assign(mine, 0.f);
    grad_.assign(mine, 0.f);
}

UpdateInfo ShardedAdam::step(float* params, const float* grad, double lr, double grad_scale, int64_t& steps) {
    const size_t r = size_t(comm_.rank());
    const int64_t off = plan_.offset[r], cnt = plan_.count[r];
    comm_.reduce_scatter_sum(grad, grad_.data(), plan_);
    const Context ctx;  // the host shard
    const UpdateInfo res = ops::adamw_step(ctx, view(params + off, {cnt}), view(grad_.data(), {cnt}),
                                           view(m_.data(), {cnt}), view(v_.data(), {cnt}), hyper_, lr,
                                           grad_scale, steps, [&](double& ss) { comm_.all_reduce_sum(&ss, 1); });
    if (res.finite) comm_.all_gather(params, plan_);
    return res;
}

void ShardedAdam::load(std::vector<float>& m, std::vector<float>& v) {
    const size_t r = size_t(comm_.rank());
    const int64_t off = plan_.offset[r], cnt = plan_.count[r];
    for (auto [full, mine] : {std::pair{&m, &m_}, std::pair{&v, &v_}}) {
        if (full->empty()) continue;
        DEEPNET_CHECK(int64_t(full->size()) == n_,
                      "moments of " << full->size() << " elements for " << n_ << " parameters");
        mine->assign(full->begin() + off, full->begin() + off + cnt);
        std::vector<float>().swap(*full);
    }
}

void ShardedAdam::gather(std::vector<float>& m, std::vector<float>& v) {
    const bool root = comm_.rank() == 0;
    for (auto [full, mine] : {std::pair{&m, &m_}, std::pair{&v, &v_}}) {
        if (root)
            full->assign(size_t(n_), 0.f);
        else
            std::vector<float>().swap(*full);
        comm_.gather(mine->data(), root ? full->data() : nullptr, plan_, 0);
    }
}

}  // namespace deepnet::dist
