// ZeRO-1 AdamW (see sharded_adam.h).
#include "src/dist/sharded_adam.h"

#include <cmath>

#include "kernels/adamw.h"
#include "src/core/error.h"

namespace deepnet::dist {

ShardedAdam::ShardedAdam(Communicator& comm, int64_t n, const AdamHyper& hyper)
    : comm_(comm), n_(n), hyper_(hyper), plan_(shard_plan(n, comm.size())) {
    const size_t mine = size_t(plan_.count[size_t(comm.rank())]);
    m_.assign(mine, 0.f);
    v_.assign(mine, 0.f);
    grad_.assign(mine, 0.f);
}

StepResult ShardedAdam::step(float* params, const float* grad, double lr, double grad_scale, int64_t& steps) {
    const size_t r = size_t(comm_.rank());
    const int64_t off = plan_.offset[r], cnt = plan_.count[r];
    comm_.reduce_scatter_sum(grad, grad_.data(), plan_);
    double ss = kernels::cpu::sum_squares<float>(grad_.data(), cnt);
    comm_.all_reduce_sum(&ss, 1);
    StepResult res;
    res.grad_norm = grad_scale * std::sqrt(ss);
    if (!std::isfinite(res.grad_norm)) {
        res.finite = false;
        return res;
    }
    double scale = grad_scale;
    if (hyper_.clip_norm > 0 && res.grad_norm > hyper_.clip_norm) scale *= hyper_.clip_norm / res.grad_norm;
    ++steps;
    const kernels::cpu::AdamParams a{lr, hyper_.beta1, hyper_.beta2, hyper_.eps, hyper_.weight_decay, scale, steps};
    kernels::cpu::adamw_update<float>(params + off, grad_.data(), m_.data(), v_.data(), cnt, a);
    comm_.all_gather(params, plan_);
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
