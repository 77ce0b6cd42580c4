// Filling the typed config structs from resolved options (see typed_configs.h).
#include "src/config/typed_configs.h"

namespace deepnet {
namespace {

NormScheme norm_from(const std::string& s) {
    if (s == "post") return NormScheme::Post;
    if (s == "pre") return NormScheme::Pre;
    if (s == "deepnorm") return NormScheme::DeepNorm;
    DEEPNET_CHECK(s == "subln", "transformer-norm '" << s << "' passed validation");
    return NormScheme::SubLN;
}

Activation activation_from(const std::string& s) {
    if (s == "relu") return Activation::ReLU;
    DEEPNET_CHECK(s == "gelu", "transformer-ffn-activation '" << s << "' passed validation");
    return Activation::GELU;
}

}  // namespace

CommonConfig common_config_from(const ResolvedOptions& opts) {
    CommonConfig c;
    c.config_files = opts.get<std::vector<std::string>>("config");
    c.dump_config = opts.get<bool>("dump-config");
    c.help = opts.get<bool>("help");
    c.seed = uint64_t(opts.get<int64_t>("seed"));
    c.cpu_threads = opts.get<int64_t>("cpu-threads");
    c.quiet = opts.get<bool>("quiet");
    c.log_file = opts.get<std::string>("log");
    return c;
}

ModelConfig model_config_from(const ResolvedOptions& opts) {
    ModelConfig m;
    m.enc_depth = opts.get<int64_t>("enc-depth");
    m.dec_depth = opts.get<int64_t>("dec-depth");
    m.dim_emb = opts.get<int64_t>("dim-emb");
    m.heads = opts.get<int64_t>("transformer-heads");
    m.dim_ffn = opts.get<int64_t>("transformer-dim-ffn");
    m.vocab_size = opts.get<int64_t>("dim-vocabs");
    m.activation = activation_from(opts.get<std::string>("transformer-ffn-activation"));
    m.norm = norm_from(opts.get<std::string>("transformer-norm"));
    m.dropout = opts.get<double>("transformer-dropout");
    m.dropout_attention = opts.get<double>("transformer-dropout-attention");
    m.dropout_ffn = opts.get<double>("transformer-dropout-ffn");
    m.tied_embeddings = opts.get<bool>("tied-embeddings");
    m.tied_embeddings_all = opts.get<bool>("tied-embeddings-all");
    m.label_smoothing = opts.get<double>("label-smoothing");
    m.layer_norm_eps = opts.get<double>("layer-norm-eps");
    m.recompute = opts.get<bool>("recompute");
    m.seed = uint64_t(opts.get<int64_t>("seed"));
    m.deepnorm_alpha_enc = opts.get<std::optional<double>>("deepnorm-alpha-enc");
    m.deepnorm_beta_enc = opts.get<std::optional<double>>("deepnorm-beta-enc");
    m.deepnorm_alpha_dec = opts.get<std::optional<double>>("deepnorm-alpha-dec");
    m.deepnorm_beta_dec = opts.get<std::optional<double>>("deepnorm-beta-dec");
    return m;
}

}  // namespace deepnet
