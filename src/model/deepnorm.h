// DeepNorm constants and the beta-scaled Xavier init, in ONE place (DeepNet paper,
// arXiv 2203.00555, Fig. 2 and Appendix B).
//   encoder-decoder, N encoder and M decoder layers:
//     encoder alpha = 0.81 (N^4 M)^(1/16),  beta = 0.87 (N^4 M)^(-1/16)
//     decoder alpha = (3M)^(1/4),           beta = (12M)^(-1/4)
//   encoder-only (M = 0):  alpha = (2N)^(1/4), beta = (8N)^(-1/4); decoder-only likewise.
// Sub-LN (Magneto, arXiv 2210.06423) gammas (up-scaling) are derived here too.
#pragma once

#include <cstdint>
#include <string>

#include "src/model/model_config.h"
#include "src/core/param_store.h"

namespace deepnet {

struct ResidualConstants {
    double alpha_enc = 1, beta_enc = 1;  // beta = init gain of v_proj, out_proj, fc1, fc2
    double alpha_dec = 1, beta_dec = 1;
};

// Paper formulas only. enc_layers or dec_layers may be 0 (decoder-only / encoder-only).
ResidualConstants deepnorm_constants(int64_t enc_layers, int64_t dec_layers);
// Magneto gammas: encoder sqrt(log(3M) log(2N) / 3), decoder sqrt(log 3M) (enc-dec case).
ResidualConstants subln_constants(int64_t enc_layers, int64_t dec_layers);

// The constants a model with this config uses: deepnorm -> paper values unless overridden
// by deepnorm-{alpha,beta}-{enc,dec}; subln -> gamma as the init gain, alpha 1;
// post/pre -> all 1.
ResidualConstants resolve_residual_constants(const ModelConfig& cfg);

// How a parameter is initialised, decided by its name (docs/model-format.md):
//   embeddings / output projection: N(0, C^-1/2), the padding row zero (fairseq)
//   q_proj, k_proj: Xavier normal, gain 1
//   v_proj, out_proj, fc1, fc2: Xavier normal, gain beta (deepnorm) / gamma (subln, not the
//     decoder's encoder_attn, as Magneto) / 1 (post, pre); encoder or decoder value by prefix
//   LayerNorm weight 1, every bias 0 (paper / Transformer-Clinic style)
enum class InitKind { Embedding, Xavier, Ones, Zeros };
struct InitRule {
    InitKind kind;
    double gain = 1;  // Xavier gain
};
InitRule init_rule(const ParamEntry& e, const ModelConfig& cfg, const ResidualConstants& rc);

// Fills values (the flat buffer of `layout`) deterministically from cfg.seed: each tensor's
// numbers depend only on (seed, its name), not on declaration order.
template <typename T>
void init_model_parameters(T* values, const ParamLayout& layout, const ModelConfig& cfg);

}  // namespace deepnet
