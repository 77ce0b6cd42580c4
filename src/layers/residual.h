// The residual sublayer around a branch G (attention or FFN), in each norm scheme:
//   pre / subln:   u = LN(x);  g = dropout(G(u));  y = x + g
//   post:          g = dropout(G(x));  y = LN(x + g)
//   deepnorm:      g = dropout(G(x));  y = LN(alpha * x + g)     (alpha on the skip input)
// Usage: in = residual_branch_input(ctx, ...); run G(in) into branch_out(sv); residual_end(ctx, ...).
// Backward mirrors it: residual_end_backward gives dg (wrt G's output) and dx (=, the skip
// path); after G's backward, residual_begin_backward adds the branch path into dx (+=).
#pragma once

#include "src/layers/layer_common.h"

namespace deepnet {

template <typename T>
struct ResidualSaved {
    Buf<T> u;           // pre/subln: LN(x)            (N, C)
    Buf<T> g;           // branch output after dropout (N, C)
    Buf<T> mean, rstd;  // (N)
};

inline bool is_pre_norm(NormScheme s) { return s == NormScheme::Pre || s == NormScheme::SubLN; }

// Returns G's input: LN(x) (pre/subln, saved in sv.u) or x itself (post/deepnorm).
template <typename T>
const T* residual_branch_input(const Context& ctx, const Params<T>& p, const NormSpec& ln, const SublayerCfg& cfg,
                               ResidualSaved<T>& sv, const T* x, int64_t N);

template <typename T>
T* residual_branch_out(const Context& ctx, ResidualSaved<T>& sv, int64_t N, int64_t C) {
    return ensure(ctx, sv.g, N * C);
}

// Dropout on sv.g in place, then y = x + g or y = LN(alpha x + g).
template <typename T>
void residual_end(const Context& ctx, const Params<T>& p, const NormSpec& ln, const SublayerCfg& cfg,
                  ResidualSaved<T>& sv, T* y, const T* x, int64_t N, uint64_t key, double drop);

// dx = skip-path gradient (=); dg = gradient wrt G's output, before dropout (=).
template <typename T>
void residual_end_backward(const Context& ctx, Params<T>& p, const NormSpec& ln, const SublayerCfg& cfg,
                           const ResidualSaved<T>& sv, T* dx, T* dg, const T* dy, const T* x,
                           int64_t N, uint64_t key, double drop);

// dx += gradient through G's input; d_in (G's input gradient) is used as scratch.
template <typename T>
void residual_begin_backward(const Context& ctx, Params<T>& p, const NormSpec& ln, const SublayerCfg& cfg,
                             const ResidualSaved<T>& sv, T* dx, T* d_in, const T* x, int64_t N);

}  // namespace deepnet
