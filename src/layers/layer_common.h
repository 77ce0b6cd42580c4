// Shared pieces of the layers: parameter specs (offsets into the flat buffers), the
// per-step dropout RNG, sequence shapes, and thin wrappers over the linear and LayerNorm
// kernels. Layers own no parameters; they keep offsets and read Params<T> at run time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/activation.h"
#include "kernels/counter_rng.h"
#include "kernels/linear.h"
#include "kernels/residual_layernorm.h"
#include "src/model/model_config.h"
#include "src/model/param_store.h"

namespace deepnet {

template <typename T>
using Buf = std::vector<T>;

// Grows a buffer to n elements (keeps capacity: buffers are reused across batches).
template <typename T>
inline T* ensure(Buf<T>& b, int64_t n) {
    if (int64_t(b.size()) < n) b.resize(size_t(n));
    return b.data();
}

struct LinearSpec {
    int64_t w = -1, b = -1;  // offsets; b = -1: no bias
    int64_t in = 0, out = 0;
};
struct NormSpec {
    int64_t gamma = -1, beta = -1, dim = 0;
};

LinearSpec declare_linear(ParamLayout& layout, const std::string& name, int64_t in, int64_t out,
                          bool bias = true);
NormSpec declare_norm(ParamLayout& layout, const std::string& name, int64_t dim);

// Dropout keys for one forward/backward pass: a pure function of (seed, step, layer, site),
// so recomputation and backward regenerate the same masks.
struct StepRng {
    uint64_t seed = 0;
    uint64_t step = 0;
    bool training = false;
    uint64_t key(int64_t layer_uid, int site) const {
        return kernels::rng_key(seed, step, uint64_t(layer_uid), uint64_t(site));
    }
};

// A batch of sequences laid out as (B, T) rows; len: (B) true lengths.
struct SeqShape {
    int64_t B = 0, T = 0;
    const int64_t* len = nullptr;
    int64_t rows() const { return B * T; }
};

// What each residual sublayer needs to know about the model.
struct SublayerCfg {
    NormScheme scheme = NormScheme::DeepNorm;
    double alpha = 1;  // DeepNorm skip scale (1 for the other schemes)
    double dropout = 0, dropout_attention = 0, dropout_ffn = 0;
    double eps = 1e-5;
    kernels::ActKind act = kernels::ActKind::ReLU;
    int64_t heads = 1;
    // Dropout is applied only when training.
    double p(double value, const StepRng& rng) const { return rng.training ? value : 0.0; }
};

template <typename T>
inline void linear_fwd(const Params<T>& p, const LinearSpec& s, T* y, const T* x, int64_t N) {
    kernels::cpu::linear_forward<T>(y, x, p.v(s.w), s.b >= 0 ? p.v(s.b) : nullptr, N, s.in, s.out,
                                    p.matmul);
}

// dx = (or +=, with accumulate) dy · W; dW, db accumulate.
template <typename T>
inline void linear_bwd(Params<T>& p, const LinearSpec& s, T* dx, const T* dy, const T* x,
                       int64_t N, bool accumulate = false) {
    kernels::cpu::linear_backward<T>(dx, p.g(s.w), s.b >= 0 ? p.g(s.b) : nullptr, dy, x,
                                     p.v(s.w), N, s.in, s.out, accumulate, p.matmul);
}

// y = LN(alpha * x + f); f may be null.
template <typename T>
inline void norm_fwd(const Params<T>& p, const NormSpec& s, T* y, T* mean, T* rstd, const T* x,
                     const T* f, double alpha, double eps, int64_t N) {
    kernels::cpu::residual_layernorm_forward<T>(y, mean, rstd, x, f, p.v(s.gamma), p.v(s.beta),
                                                T(alpha), N, s.dim, T(eps));
}

template <typename T>
inline void norm_bwd(Params<T>& p, const NormSpec& s, T* dx, T* df, const T* dy, const T* x,
                     const T* f, const T* mean, const T* rstd, double alpha, int64_t N) {
    kernels::cpu::residual_layernorm_backward<T>(dx, df, p.g(s.gamma), p.g(s.beta), dy, x, f,
                                                 p.v(s.gamma), mean, rstd, T(alpha), N, s.dim);
}

}  // namespace deepnet
