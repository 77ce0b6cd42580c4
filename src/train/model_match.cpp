// See model_match.h.
#include "src/train/model_match.h"

#include <sstream>

#include "src/core/error.h"
#include "src/model/deepnorm.h"

namespace deepnet {
namespace {

bool same_function(const ModelConfig& a, const ModelConfig& b) {
    const ResidualConstants ra = resolve_residual_constants(a), rb = resolve_residual_constants(b);
    return a.enc_depth == b.enc_depth && a.dec_depth == b.dec_depth && a.dim_emb == b.dim_emb &&
           a.heads == b.heads && a.dim_ffn == b.dim_ffn && a.norm == b.norm && a.activation == b.activation &&
           a.tied_embeddings == b.tied_embeddings && a.tied_embeddings_all == b.tied_embeddings_all &&
           ra.alpha_enc == rb.alpha_enc && ra.alpha_dec == rb.alpha_dec && a.layer_norm_eps == b.layer_norm_eps;
}

}  // namespace

std::string model_options_of(const ModelConfig& c) {
    std::ostringstream s;
    s.precision(17);  // an alpha or epsilon copied from the message must compare equal
    s << "--enc-depth " << c.enc_depth << " --dec-depth " << c.dec_depth << " --dim-emb " << c.dim_emb
      << " --transformer-heads " << c.heads << " --transformer-dim-ffn " << c.dim_ffn << " --transformer-norm "
      << to_string(c.norm) << " --transformer-ffn-activation " << to_string(c.activation)
      << (c.tied_embeddings ? " --tied-embeddings" : "") << (c.tied_embeddings_all ? " --tied-embeddings-all" : "");
    if (c.deepnorm_alpha_enc) s << " --deepnorm-alpha-enc " << *c.deepnorm_alpha_enc;
    if (c.deepnorm_alpha_dec) s << " --deepnorm-alpha-dec " << *c.deepnorm_alpha_dec;
    if (c.layer_norm_eps != ModelConfig{}.layer_norm_eps) s << " --layer-norm-eps " << c.layer_norm_eps;
    return s.str();
}

void check_same_model(const ModelConfig& saved, const ModelConfig& run, const std::string& whose,
                      const std::string& remedy) {
    DEEPNET_USER_CHECK(same_function(saved, run),
                       "the model options differ from those of "
                           << whose << " (depths, dim-emb, heads, FFN, norm, activation, tied embeddings, "
                           << "DeepNorm alpha or layer-norm-eps; it has " << model_options_of(saved) << "): " << remedy);
}

}  // namespace deepnet
