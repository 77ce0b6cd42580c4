// Group "Model": the Transformer's shape and residual/normalisation scheme (Marian names
// where Marian has the option), its cross-field checks, and the DeepNorm constants that
// --dump-config prints as plain numbers. One row per option.
#include <cstdio>

#include "src/config/option_groups.h"
#include "src/config/option_value.h"
#include "src/config/resolved_options.h"
#include "src/config/typed_configs.h"
#include "src/core/error.h"
#include "src/model/deepnorm.h"

namespace deepnet {

OptionGroup model_options() {
    return {"Model", {
        // The upper bounds are model_limits.h's ceilings (checked again on model files).
        int_option("enc-depth", 6, "Encoder layers (N)").range(1, 1000),
        int_option("dec-depth", 6, "Decoder layers (M)").range(1, 1000),
        int_option("dim-emb", 512, "Model width C (embeddings and every sublayer); "
                   "must be divisible by transformer-heads").range(1, 65536),
        int_option("transformer-heads", 8, "Attention heads H; head size D = dim-emb / H").range(1, 1024),
        int_option("transformer-dim-ffn", 2048, "Hidden size F of the feed-forward sublayer").range(1, 1 << 20),
        string_option("transformer-ffn-activation", "relu", "Activation of the feed-forward sublayer")
            .one_of({"relu", "gelu"}),
        double_option("transformer-dropout", 0.1, "Dropout on each sublayer output before the "
                      "residual add").fraction(),
        double_option("transformer-dropout-attention", 0, "Dropout on the attention probabilities")
            .fraction(),
        double_option("transformer-dropout-ffn", 0, "Dropout on the feed-forward hidden activation")
            .fraction(),
        bool_option("tied-embeddings", false, "Tie the decoder input embedding and the output projection"),
        bool_option("tied-embeddings-all", false, "Tie source, target and output embeddings (joint vocabulary)"),
        string_option("transformer-norm", "deepnorm", "Residual scheme: post x=LN(x+G(x)); pre "
                      "x=x+G(LN(x)); deepnorm x=LN(alpha*x+G(x)) with beta-scaled init; subln (Magneto)")
            .one_of({"post", "pre", "deepnorm", "subln"}),
        optional_double_option("deepnorm-alpha-enc", "Encoder DeepNorm alpha; unset = 0.81 (N^4 M)^(1/16)")
            .above(0),
        optional_double_option("deepnorm-beta-enc", "Encoder DeepNorm init gain beta; unset = "
                               "0.87 (N^4 M)^(-1/16)").above(0),
        optional_double_option("deepnorm-alpha-dec", "Decoder DeepNorm alpha; unset = (3M)^(1/4)")
            .above(0),
        optional_double_option("deepnorm-beta-dec", "Decoder DeepNorm init gain beta; unset = (12M)^(-1/4)")
            .above(0),
        double_option("layer-norm-eps", 1e-5, "Epsilon of every LayerNorm").above(0),
        double_option("label-smoothing", 0.1, "Label smoothing of the cross-entropy loss").fraction(),
        bool_option("recompute", false, "Recompute activations per layer in backward (keep one "
                    "activation per layer)"),
        // 4 = the special ids pad, unk, bos, eos (ModelConfig) need a vocabulary at least that big.
        int_option("dim-vocabs", 8000, "Size V of the joint SentencePiece vocabulary").range(4, 1 << 24),
    }};
}

namespace {

struct ConstantRef {
    const char* name;
    double ResidualConstants::*field;
};
constexpr ConstantRef kConstants[] = {
    {"deepnorm-alpha-enc", &ResidualConstants::alpha_enc},
    {"deepnorm-beta-enc", &ResidualConstants::beta_enc},
    {"deepnorm-alpha-dec", &ResidualConstants::alpha_dec},
    {"deepnorm-beta-dec", &ResidualConstants::beta_dec},
};

// The constants the model would use if none of the deepnorm-* options were given.
ResidualConstants constants_without_overrides(const ResolvedOptions& opts) {
    ModelConfig cfg = model_config_from(opts);
    cfg.deepnorm_alpha_enc = cfg.deepnorm_beta_enc = std::nullopt;
    cfg.deepnorm_alpha_dec = cfg.deepnorm_beta_dec = std::nullopt;
    return resolve_residual_constants(cfg);
}

// Six significant digits: enough to see what differs, short enough to read in a log line.
std::string readable(double v) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.6g", v);
    return buf;
}

std::string depths(const ResolvedOptions& opts) {
    return "enc-depth " + std::to_string(opts.get<int64_t>("enc-depth")) + ", dec-depth " +
           std::to_string(opts.get<int64_t>("dec-depth"));
}

}  // namespace

void check_model_options(const ResolvedOptions& opts, std::vector<std::string>& warnings) {
    const int64_t dim = opts.get<int64_t>("dim-emb"), heads = opts.get<int64_t>("transformer-heads");
    DEEPNET_USER_CHECK(dim % heads == 0,
                       "dim-emb " << dim << " (" << opts.where("dim-emb")
                                  << ") is not divisible by transformer-heads " << heads << " ("
                                  << opts.where("transformer-heads") << ")");

    // A set constant that differs from the formula is legal (ablations), but it is also what a
    // dumped config with an edited depth looks like, so say so.
    const std::string& norm = opts.get<std::string>("transformer-norm");
    const ResidualConstants base = constants_without_overrides(opts);
    for (const auto& c : kConstants) {
        const auto& set = opts.get<std::optional<double>>(c.name);
        if (!set || *set == base.*c.field) continue;
        if (norm == "deepnorm")
            warnings.push_back(std::string(c.name) + " " + format_double(*set) + " (" +
                               opts.where(c.name) + ") overrides the value " +
                               readable(base.*c.field) + " derived from " + depths(opts));
        else
            warnings.push_back(std::string(c.name) + " " + format_double(*set) + " (" +
                               opts.where(c.name) + ") is ignored: transformer-norm is " + norm);
    }
}

std::map<std::string, DerivedValue> derive_model_values(const ResolvedOptions& opts) {
    const ResidualConstants used = resolve_residual_constants(model_config_from(opts));
    const std::string& norm = opts.get<std::string>("transformer-norm");
    std::map<std::string, DerivedValue> out;
    for (const auto& c : kConstants) {
        std::string note;
        if (norm != "deepnorm") note = "used by transformer-norm " + norm;
        else if (!opts.get<std::optional<double>>(c.name)) note = "derived from " + depths(opts);
        out[c.name] = DerivedValue{std::optional<double>{used.*c.field}, note};
    }
    return out;
}

}  // namespace deepnet
