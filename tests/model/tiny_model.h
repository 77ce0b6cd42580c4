// A tiny model config and batch for model-level tests.
#pragma once

#include <vector>

#include "src/model/batch.h"
#include "src/model/model_config.h"

namespace deepnet::test {

inline ModelConfig tiny_config(NormScheme norm) {
    ModelConfig c;
    c.enc_depth = 2;
    c.dec_depth = 2;
    c.dim_emb = 8;
    c.heads = 2;
    c.dim_ffn = 12;
    c.vocab_size = 13;
    c.norm = norm;
    c.activation = Activation::GELU;
    c.dropout = 0.1;
    c.dropout_attention = 0.1;
    c.dropout_ffn = 0.1;
    c.label_smoothing = 0.1;
    c.seed = 7;
    return c;
}

// Three pairs of different lengths, so padding and masks are exercised.
inline Batch tiny_batch(const ModelConfig& c) {
    std::vector<std::vector<int64_t>> src = {{4, 5, 6, 7}, {8, 9}, {10, 11, 12}};
    std::vector<std::vector<int64_t>> tgt = {{5, 6}, {7, 8, 9, 10}, {11}};
    return make_batch(src, tgt, c);
}

}  // namespace deepnet::test
