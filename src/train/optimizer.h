// Adam / AdamW over the flat parameter buffer, with global-norm gradient clipping.
// Moments are float32 buffers of the parameter layout; step counts updates from 1.
#pragma once

#include <cstdint>
#include <vector>

#include "src/model/param_store.h"

namespace deepnet {

struct AdamConfig {
    double beta1 = 0.9, beta2 = 0.98, eps = 1e-9;  // Marian's optimizer-params defaults
    double weight_decay = 0;                       // decoupled (AdamW) when > 0
    double clip_norm = 0;                          // 0 = off
};

struct UpdateInfo {
    double grad_norm = 0;  // of the scaled gradient, before clipping
    bool finite = true;    // false: NaN/Inf gradient, the update was skipped
};

template <typename T>
class AdamW {
public:
    explicit AdamW(const AdamConfig& cfg) : cfg_(cfg) {}

    // Applies one update with learning rate lr to p.value from grad_scale * p.grad.
    UpdateInfo step(Params<T>& p, double lr, double grad_scale = 1.0);

    int64_t steps() const { return step_; }
    std::vector<T>& m() { return m_; }
    std::vector<T>& v() { return v_; }
    void set_steps(int64_t s) { step_ = s; }

private:
    AdamConfig cfg_;
    std::vector<T> m_, v_;
    int64_t step_ = 0;
};

}  // namespace deepnet
