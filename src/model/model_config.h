// The model's hyper-parameters as a typed struct: filled once from the resolved options
// (src/config), never from string keys inside model code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "src/layers/layer_common.h"  // NormScheme

namespace deepnet {

enum class Activation { ReLU, GELU };

struct ModelConfig {
    int64_t enc_depth = 6;
    int64_t dec_depth = 6;
    int64_t dim_emb = 512;         // C
    int64_t heads = 8;             // H (D = C / H)
    int64_t dim_ffn = 2048;        // F
    int64_t vocab_size = 0;        // V (joint vocabulary)
    Activation activation = Activation::ReLU;
    NormScheme norm = NormScheme::DeepNorm;
    double dropout = 0.1;          // on each sublayer output before the residual add
    double dropout_attention = 0;  // on the attention probabilities
    double dropout_ffn = 0;        // on the FFN hidden activation
    bool tied_embeddings = false;      // decoder input embedding == output projection
    bool tied_embeddings_all = false;  // source == target == output embedding
    double label_smoothing = 0.1;
    double layer_norm_eps = 1e-5;
    bool recompute = false;        // keep one activation per layer, recompute the rest
    uint64_t seed = 1111;

    // Unset = derived from the depths (src/model/deepnorm.h).
    std::optional<double> deepnorm_alpha_enc, deepnorm_beta_enc;
    std::optional<double> deepnorm_alpha_dec, deepnorm_beta_dec;

    int64_t pad_id = 0, unk_id = 1, bos_id = 2, eos_id = 3;
};

const char* to_string(NormScheme n);
const char* to_string(Activation a);

}  // namespace deepnet
