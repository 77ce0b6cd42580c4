// Adam / AdamW over the flat parameter buffer, with global-norm gradient clipping: the one
// AdamW step of src/ops/adamw.h (shared with the ZeRO-1 optimizer of src/dist). The moments
// are one planned buffer (kind OptimizerMoments) on the parameters' device; step counts
// updates from 1.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "src/core/param_store.h"
#include "src/ops/adamw.h"

namespace deepnet {

using ops::AdamConfig;
using ops::UpdateInfo;

template <typename T>
class AdamW {
public:
    explicit AdamW(const AdamConfig& cfg) : cfg_(cfg) {}

    // Applies one update with learning rate lr to p.value from grad_scale * p.grad, on the
    // parameters' device through ctx (a CPU context by default).
    UpdateInfo step(Params<T>& p, double lr, double grad_scale = 1.0) { return step(Context{}, p, lr, grad_scale); }
    UpdateInfo step(const Context& ctx, Params<T>& p, double lr, double grad_scale = 1.0);

    int64_t steps() const { return step_; }
    void set_steps(int64_t s) { step_ = s; }
    // The moments (empty before the first step or set_moments).
    FlatView<T> m() const { return m_; }
    FlatView<T> v() const { return v_; }
    // Resume: the moments of n parameters on `device` (empty vectors: zeros).
    void set_moments(int64_t n, const std::vector<T>& m, const std::vector<T>& v, const Device& device = {});

private:
    void allocate(int64_t n, const Device& device);

    AdamConfig cfg_;
    std::unique_ptr<Arena> arena_;
    FlatView<T> m_, v_;
    int64_t step_ = 0;
};

}  // namespace deepnet
