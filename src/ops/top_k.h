// Beam search's per-row top-k (kernels/top_k.h): the k best base[n] + logp[n, w] of each
// row over the tokens its mask allows (the `last` rows: the length-cap mask).
//   scores (N, k) f64, tokens (N, k) i64, count (N) i64; logp (N, V); base (N) f64;
//   banned, banned_last (V) i64 (1 = banned); last (N) i64 (1 = at the length cap)
// On CUDA the rows are always sorted best first and insertion_max_k is not used.
#pragma once

#include <cstdint>

#include "src/core/context.h"

namespace deepnet::ops {

// The largest k a device's top-k takes (CUDA: kernels::cuda::top_k_max_k; the CPU: any), so
// that a beam too wide for the GPU is refused at start-up, not at the first step.
int64_t top_k_limit(const Device& device);

void top_k_rows(const Context& ctx, const TensorView& scores, const TensorView& tokens,
                const TensorView& count, const TensorView& logp, const TensorView& base,
                const TensorView& banned, const TensorView& banned_last, const TensorView& last,
                int64_t insertion_max_k);

// The same over log_softmax(logits): equal to log_softmax_forward (src/ops/log_softmax.h)
// followed by top_k_rows, bit for bit on each device; logits are left unchanged. On CUDA one
// fused kernel that never writes the N x V log-probabilities (beam search's last step).
void log_softmax_top_k_rows(const Context& ctx, const TensorView& scores, const TensorView& tokens,
                            const TensorView& count, const TensorView& logits, const TensorView& base,
                            const TensorView& banned, const TensorView& banned_last, const TensorView& last,
                            int64_t insertion_max_k);

}  // namespace deepnet::ops
