// Shared pieces of the layers: parameter specs (offsets into the flat buffers), the norm
// schemes, the per-step dropout RNG, sequence shapes, and the calls of the linear and
// LayerNorm ops on a parameter set. Layers own no parameters; they keep offsets and read
// Params<T> at run time, on the device of the Context they are given.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "src/core/context.h"
#include "src/core/device_buffer.h"
#include "src/core/param_store.h"
#include "src/ops/activation.h"
#include "src/ops/linear.h"
#include "src/ops/random.h"
#include "src/ops/residual_layernorm.h"

namespace deepnet {

// Where LayerNorm sits around each residual sublayer G:
//   post:     x = LN(x + G(x))
//   pre:      x = x + G(LN(x)), plus a final LayerNorm after each stack
//   deepnorm: x = LN(alpha * x + G(x)), beta-scaled Xavier init (DeepNet paper)
//   subln:    pre plus an extra LayerNorm inside each sublayer, gamma-scaled init (Magneto)
enum class NormScheme { Post, Pre, DeepNorm, SubLN };

template <typename T>
using Buf = DeviceBuffer<T>;

// Grows a buffer to n elements on the context's device (buffers are reused across batches).
// Activations and scratch are written before they are read, so growing drops the contents
// (DeviceBuffer::scratch: never the old and the new block at once).
template <typename T>
inline T* ensure(const Context& ctx, Buf<T>& b, int64_t n) {
    return b.scratch(ctx.device, n);
}

// A view of p on the context's device; p may be null (an absent optional tensor).
template <typename T>
inline TensorView tv(const Context& ctx, T* p, std::initializer_list<int64_t> shape) {
    return view(p, shape, ctx.device);
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
        return ops::rng_key(seed, step, uint64_t(layer_uid), uint64_t(site));
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
    ops::ActKind act = ops::ActKind::ReLU;
    int64_t heads = 1;
    // Dropout is applied only when training.
    double p(double value, const StepRng& rng) const { return rng.training ? value : 0.0; }
};

// y = x W^T + b over N rows (then max(0, y) with relu, fused where the device can).
template <typename T>
inline void linear_fwd(const Context& ctx, const Params<T>& p, const LinearSpec& s, T* y,
                       const T* x, int64_t N, bool relu = false) {
    ops::linear_forward(ctx, tv(ctx, y, {N, s.out}), tv(ctx, x, {N, s.in}),
                        tv(ctx, p.v(s.w), {s.out, s.in}),
                        tv(ctx, s.b >= 0 ? p.v(s.b) : nullptr, {s.out}), relu);
}

// dx = (or +=, with accumulate) dy · W; dW, db accumulate.
template <typename T>
inline void linear_bwd(const Context& ctx, Params<T>& p, const LinearSpec& s, T* dx, const T* dy,
                       const T* x, int64_t N, bool accumulate = false) {
    ops::linear_backward(ctx, tv(ctx, dx, {N, s.in}), tv(ctx, p.g(s.w), {s.out, s.in}),
                         tv(ctx, s.b >= 0 ? p.g(s.b) : nullptr, {s.out}), tv(ctx, dy, {N, s.out}),
                         tv(ctx, x, {N, s.in}), tv(ctx, p.v(s.w), {s.out, s.in}), accumulate);
}

// y = LN(alpha * x + f); f may be null.
template <typename T>
inline void norm_fwd(const Context& ctx, const Params<T>& p, const NormSpec& s, T* y, T* mean,
                     T* rstd, const T* x, const T* f, double alpha, double eps, int64_t N) {
    const int64_t C = s.dim;
    ops::residual_layernorm_forward(ctx, tv(ctx, y, {N, C}), tv(ctx, mean, {N}), tv(ctx, rstd, {N}),
                                    tv(ctx, x, {N, C}), tv(ctx, f, {N, C}), tv(ctx, p.v(s.gamma), {C}),
                                    tv(ctx, p.v(s.beta), {C}), alpha, eps);
}

template <typename T>
inline void norm_bwd(const Context& ctx, Params<T>& p, const NormSpec& s, T* dx, T* df,
                     const T* dy, const T* x, const T* f, const T* mean, const T* rstd,
                     double alpha, int64_t N) {
    const int64_t C = s.dim;
    ops::residual_layernorm_backward(ctx, tv(ctx, dx, {N, C}), tv(ctx, df, {N, C}),
                                     tv(ctx, p.g(s.gamma), {C}), tv(ctx, p.g(s.beta), {C}),
                                     tv(ctx, dy, {N, C}), tv(ctx, x, {N, C}), tv(ctx, f, {N, C}),
                                     tv(ctx, p.v(s.gamma), {C}), tv(ctx, mean, {N}),
                                     tv(ctx, rstd, {N}), alpha);
}

}  // namespace deepnet
