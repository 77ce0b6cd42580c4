// DeepNorm / Sub-LN constants (see deepnorm.h for the formulas and their sources).
#include "src/model/deepnorm.h"

#include <cmath>

#include "src/ops/random.h"
#include "src/core/error.h"

namespace deepnet {

ResidualConstants deepnorm_constants(int64_t N, int64_t M) {
    DEEPNET_CHECK(N >= 0 && M >= 0 && N + M > 0, "deepnorm_constants: bad depths " << N << ", " << M);
    ResidualConstants c;
    const double n = double(N), m = double(M);
    if (N > 0 && M > 0) {
        c.alpha_enc = 0.81 * std::pow(std::pow(n, 4) * m, 1.0 / 16);
        c.beta_enc = 0.87 * std::pow(std::pow(n, 4) * m, -1.0 / 16);
        c.alpha_dec = std::pow(3 * m, 0.25);
        c.beta_dec = std::pow(12 * m, -0.25);
    } else if (N > 0) {
        c.alpha_enc = std::pow(2 * n, 0.25);
        c.beta_enc = std::pow(8 * n, -0.25);
    } else {
        c.alpha_dec = std::pow(2 * m, 0.25);
        c.beta_dec = std::pow(8 * m, -0.25);
    }
    return c;
}

ResidualConstants subln_constants(int64_t N, int64_t M) {
    DEEPNET_CHECK(N >= 0 && M >= 0 && N + M > 0, "subln_constants: bad depths " << N << ", " << M);
    ResidualConstants c;
    const double n = double(N), m = double(M);
    if (N > 0 && M > 0) {
        c.beta_enc = std::sqrt(std::log(3 * m) * std::log(2 * n) / 3);
        c.beta_dec = std::sqrt(std::log(3 * m));
    } else if (N > 0) {
        c.beta_enc = std::sqrt(std::log(2 * n));
    } else {
        c.beta_dec = std::sqrt(std::log(2 * m));
    }
    return c;
}

ResidualConstants resolve_residual_constants(const ModelConfig& cfg) {
    switch (cfg.norm) {
    case NormScheme::DeepNorm: {
        ResidualConstants c = deepnorm_constants(cfg.enc_depth, cfg.dec_depth);
        if (cfg.deepnorm_alpha_enc) c.alpha_enc = *cfg.deepnorm_alpha_enc;
        if (cfg.deepnorm_beta_enc) c.beta_enc = *cfg.deepnorm_beta_enc;
        if (cfg.deepnorm_alpha_dec) c.alpha_dec = *cfg.deepnorm_alpha_dec;
        if (cfg.deepnorm_beta_dec) c.beta_dec = *cfg.deepnorm_beta_dec;
        return c;
    }
    case NormScheme::SubLN: return subln_constants(cfg.enc_depth, cfg.dec_depth);
    case NormScheme::Post:
    case NormScheme::Pre: return ResidualConstants{};
    }
    return ResidualConstants{};
}

const char* to_string(NormScheme n) {
    switch (n) {
    case NormScheme::Post: return "post";
    case NormScheme::Pre: return "pre";
    case NormScheme::DeepNorm: return "deepnorm";
    case NormScheme::SubLN: return "subln";
    }
    return "?";
}

const char* to_string(Activation a) { return a == Activation::ReLU ? "relu" : "gelu"; }

}  // namespace deepnet

namespace deepnet {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

uint64_t name_hash(const std::string& s) {  // FNV-1a
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    return h;
}

// Standard normal from two counter-based uniforms (Box-Muller).
double normal01(uint64_t key, uint64_t i) {
    const double u1 = (double(ops::mix64(key ^ ops::mix64(2 * i)) >> 11) + 0.5) * 0x1p-53;
    const double u2 = double(ops::mix64(key ^ ops::mix64(2 * i + 1)) >> 11) * 0x1p-53;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

}  // namespace

InitRule init_rule(const ParamEntry& e, const ModelConfig& cfg, const ResidualConstants& rc) {
    const std::string& n = e.name;
    if (contains(n, "embed_tokens") || contains(n, "output_projection")) return {InitKind::Embedding};
    // The only 1-D weights are LayerNorm gains; every 1-D bias starts at zero.
    if (e.shape.size() == 1) return {ends_with(n, ".weight") ? InitKind::Ones : InitKind::Zeros};
    const bool scaled = contains(n, "v_proj.") || contains(n, "out_proj.") ||
                        contains(n, ".fc1.") || contains(n, ".fc2.");
    if (!scaled) return {InitKind::Xavier, 1.0};
    const bool encoder = n.rfind("encoder.", 0) == 0;
    if (cfg.norm == NormScheme::SubLN && contains(n, "encoder_attn.")) return {InitKind::Xavier, 1.0};
    return {InitKind::Xavier, encoder ? rc.beta_enc : rc.beta_dec};
}

template <typename T>
void init_model_parameters(T* values, const ParamLayout& layout, const ModelConfig& cfg) {
    const ResidualConstants rc = resolve_residual_constants(cfg);
    for (const ParamEntry& e : layout.entries()) {
        const InitRule r = init_rule(e, cfg, rc);
        T* v = values + e.offset;
        const uint64_t key = ops::rng_key(cfg.seed, name_hash(e.name));
        double stddev = 0;
        if (r.kind == InitKind::Embedding) stddev = 1.0 / std::sqrt(double(e.shape[1]));
        if (r.kind == InitKind::Xavier)
            stddev = r.gain * std::sqrt(2.0 / double(e.shape[0] + e.shape[1]));
        for (int64_t i = 0; i < e.size; ++i) {
            if (r.kind == InitKind::Ones) v[i] = T(1);
            else if (r.kind == InitKind::Zeros) v[i] = T(0);
            else v[i] = T(stddev * normal01(key, uint64_t(i)));
        }
        if (r.kind == InitKind::Embedding && contains(e.name, "embed_tokens"))
            for (int64_t c = 0; c < e.shape[1]; ++c) v[cfg.pad_id * e.shape[1] + c] = T(0);
    }
}

template void init_model_parameters<float>(float*, const ParamLayout&, const ModelConfig&);
template void init_model_parameters<double>(double*, const ParamLayout&, const ModelConfig&);

}  // namespace deepnet
