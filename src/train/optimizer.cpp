// AdamW step: gradient norm, non-finite guard, clipping folded into the gradient scale.
#include "src/train/optimizer.h"

#include <cmath>

#include "kernels/adamw.h"

namespace deepnet {

template <typename T>
UpdateInfo AdamW<T>::step(Params<T>& p, double lr, double grad_scale) {
    const int64_t n = int64_t(p.value.size());
    if (int64_t(m_.size()) != n) {
        m_.assign(size_t(n), T(0));
        v_.assign(size_t(n), T(0));
    }
    UpdateInfo info;
    info.grad_norm = grad_scale * std::sqrt(kernels::cpu::sum_squares<T>(p.grad.data(), n));
    if (!std::isfinite(info.grad_norm)) {
        info.finite = false;
        return info;
    }
    double scale = grad_scale;
    if (cfg_.clip_norm > 0 && info.grad_norm > cfg_.clip_norm)
        scale *= cfg_.clip_norm / info.grad_norm;
    ++step_;
    const kernels::cpu::AdamParams a{lr, cfg_.beta1, cfg_.beta2, cfg_.eps, cfg_.weight_decay,
                                     scale, step_};
    kernels::cpu::adamw_update<T>(p.value.data(), p.grad.data(), m_.data(), v_.data(), n, a);
    return info;
}

template class AdamW<float>;
template class AdamW<double>;

}  // namespace deepnet
