// Diagnostics of the residual stream (issue: "make the theory visible"): the size of what
// each sublayer's LayerNorm normalises, per layer, read back from the mean and 1/std that
// its forward keeps for backward. For Pre-LN that is the residual stream x itself; for
// Post-LN and DeepNorm it is alpha * x + G(x), the quantity DeepNorm's alpha keeps bounded.
#pragma once

#include <cstdint>
#include <vector>

#include "src/layers/residual.h"

namespace deepnet {

// Root mean square of each LayerNorm input, averaged over the real (non-padding) tokens of
// a batch. [layer][sublayer]; encoder sublayers: self_attn, ffn; decoder sublayers:
// self_attn, encoder_attn, ffn.
struct LayerNormInputs {
    std::vector<std::vector<double>> encoder, decoder;
};

// RMS of the rows' LayerNorm inputs from their saved mean and rstd = 1/sqrt(var + eps):
// sqrt(var + mean^2) per row, averaged over rows b*L + t with t < lens[b].
template <typename T>
double layer_norm_input_rms(const ResidualSaved<T>& sv, double eps, const std::vector<int64_t>& lens, int64_t L);

}  // namespace deepnet
