// DeepNorm constants against the paper's formulas and table, and the init rules and
// statistics of a freshly initialised model.
#include <cmath>

#include "src/model/deepnorm.h"
#include "src/model/transformer.h"
#include "support/gradcheck.h"
#include "tiny_model.h"

using namespace deepnet;

TEST_CASE("deepnorm constants, encoder-decoder (paper Fig. 2b)", "[model][deepnorm]") {
    struct Row { int64_t N, M; double ae, be, ad, bd; };
    // Values worked out from the formulas (shared/docs/deepnet-paper.md, 1.2).
    const Row rows[] = {{6, 6, 1.418, 0.497, 2.060, 0.343},
                        {100, 100, 3.416, 0.206, 4.162, 0.170},
                        {500, 500, 5.648, 0.125, 6.223, 0.114}};
    for (const Row& r : rows) {
        const ResidualConstants c = deepnorm_constants(r.N, r.M);
        INFO(r.N << "L-" << r.M << "L");
        REQUIRE(c.alpha_enc == Approx(r.ae).margin(5e-4));
        REQUIRE(c.beta_enc == Approx(r.be).margin(5e-4));
        REQUIRE(c.alpha_dec == Approx(r.ad).margin(5e-4));
        REQUIRE(c.beta_dec == Approx(r.bd).margin(5e-4));
        // Exact formulas; 0.87 (not torchscale's 1.15) for the encoder beta.
        const double nm = std::pow(double(r.N), 4) * double(r.M);
        REQUIRE(c.alpha_enc == Approx(0.81 * std::pow(nm, 1.0 / 16)));
        REQUIRE(c.beta_enc == Approx(0.87 * std::pow(nm, -1.0 / 16)));
        REQUIRE(c.alpha_dec == Approx(std::pow(3.0 * r.M, 0.25)));
        REQUIRE(c.beta_dec == Approx(std::pow(12.0 * r.M, -0.25)));
    }
    // Asymmetric depths: the decoder constants follow M only.
    const ResidualConstants a = deepnorm_constants(18, 6);
    REQUIRE(a.alpha_dec == Approx(std::pow(18.0, 0.25)));
    REQUIRE(a.alpha_enc == Approx(0.81 * std::pow(std::pow(18.0, 4) * 6, 1.0 / 16)));
}

TEST_CASE("deepnorm constants, encoder-only and decoder-only", "[model][deepnorm]") {
    const double table[][3] = {{12, 2.213, 0.319}, {24, 2.632, 0.269}, {96, 3.722, 0.190},
                               {1000, 6.687, 0.106}};
    for (const auto& r : table) {
        const int64_t n = int64_t(r[0]);
        const ResidualConstants e = deepnorm_constants(n, 0), d = deepnorm_constants(0, n);
        REQUIRE(e.alpha_enc == Approx(r[1]).margin(5e-4));
        REQUIRE(e.beta_enc == Approx(r[2]).margin(5e-4));
        REQUIRE(d.alpha_dec == Approx(r[1]).margin(5e-4));
        REQUIRE(d.beta_dec == Approx(r[2]).margin(5e-4));
        REQUIRE(e.alpha_enc == Approx(std::pow(2.0 * n, 0.25)));
        REQUIRE(e.beta_enc == Approx(std::pow(8.0 * n, -0.25)));
    }
}

TEST_CASE("resolved constants: overrides, subln gammas, post/pre", "[model][deepnorm]") {
    ModelConfig c = test::tiny_config(NormScheme::DeepNorm);
    c.enc_depth = c.dec_depth = 6;
    c.deepnorm_alpha_dec = 3.5;
    ResidualConstants r = resolve_residual_constants(c);
    REQUIRE(r.alpha_dec == 3.5);
    REQUIRE(r.beta_dec == Approx(std::pow(72.0, -0.25)));
    REQUIRE(r.alpha_enc == Approx(1.418).margin(5e-4));
    c.norm = NormScheme::SubLN;
    r = resolve_residual_constants(c);
    REQUIRE(r.alpha_enc == 1.0);
    REQUIRE(r.beta_dec == Approx(std::sqrt(std::log(18.0))));
    REQUIRE(r.beta_enc == Approx(std::sqrt(std::log(18.0) * std::log(12.0) / 3)));
    c.norm = NormScheme::Post;
    r = resolve_residual_constants(c);
    REQUIRE((r.alpha_enc == 1.0 && r.beta_enc == 1.0 && r.alpha_dec == 1.0 && r.beta_dec == 1.0));
}

namespace {
double std_of(const Params<float>& p, const ModelSpec& s, const std::string& name) {
    const ParamEntry& e = s.layout.at(name);
    double sum = 0, sq = 0;
    for (int64_t i = 0; i < e.size; ++i) {
        const double v = p.value[size_t(e.offset + i)];
        sum += v;
        sq += v * v;
    }
    const double mean = sum / double(e.size);
    return std::sqrt(sq / double(e.size) - mean * mean);
}
}  // namespace

TEST_CASE("deepnorm init: beta-scaled Xavier on v/out/fc1/fc2, gain 1 on q/k", "[model][deepnorm][init]") {
    ModelConfig c;
    c.enc_depth = 6;
    c.dec_depth = 6;
    c.dim_emb = 256;
    c.heads = 4;
    c.dim_ffn = 1024;
    c.vocab_size = 1000;
    c.norm = NormScheme::DeepNorm;
    Transformer<float> m(c);
    m.init_parameters();
    const ResidualConstants rc = deepnorm_constants(6, 6);
    const double xav_cc = std::sqrt(2.0 / 512), xav_cf = std::sqrt(2.0 / (256 + 1024));
    auto check = [&](const std::string& name, double expect) {
        INFO(name);
        REQUIRE(std_of(m.params(), m.spec(), name) == Approx(expect).epsilon(0.03));
    };
    for (const char* side : {"encoder", "decoder"}) {
        const std::string L = std::string(side) + ".layers.3.";
        const double beta = std::string(side) == "encoder" ? rc.beta_enc : rc.beta_dec;
        check(L + "self_attn.q_proj.weight", xav_cc);
        check(L + "self_attn.k_proj.weight", xav_cc);
        check(L + "self_attn.v_proj.weight", beta * xav_cc);
        check(L + "self_attn.out_proj.weight", beta * xav_cc);
        check(L + "fc1.weight", beta * xav_cf);
        check(L + "fc2.weight", beta * xav_cf);
    }
    check("decoder.layers.0.encoder_attn.v_proj.weight", rc.beta_dec * xav_cc);
    check("decoder.layers.0.encoder_attn.out_proj.weight", rc.beta_dec * xav_cc);
    check("decoder.layers.0.encoder_attn.q_proj.weight", xav_cc);
    check("encoder.embed_tokens.weight", 1.0 / 16);
    // LayerNorm gains 1, biases 0, padding row 0.
    const auto& pv = m.params().value;
    const ParamEntry& g = m.spec().layout.at("encoder.layers.0.self_attn_layer_norm.weight");
    const ParamEntry& b = m.spec().layout.at("decoder.layers.5.fc1.bias");
    for (int64_t i = 0; i < g.size; ++i) REQUIRE(pv[size_t(g.offset + i)] == 1.0f);
    for (int64_t i = 0; i < b.size; ++i) REQUIRE(pv[size_t(b.offset + i)] == 0.0f);
    const ParamEntry& emb = m.spec().layout.at("decoder.embed_tokens.weight");
    for (int64_t i = 0; i < 256; ++i) REQUIRE(pv[size_t(emb.offset + c.pad_id * 256 + i)] == 0.0f);
    // The deepnorm model is post-norm in both stacks: no final LayerNorms exist.
    REQUIRE_FALSE(m.spec().layout.contains("encoder.layer_norm.weight"));
    REQUIRE_FALSE(m.spec().layout.contains("decoder.layer_norm.weight"));
}

TEST_CASE("init is deterministic per seed and per tensor name", "[model][init]") {
    ModelConfig c = test::tiny_config(NormScheme::DeepNorm);
    Transformer<float> a(c), b(c);
    a.init_parameters();
    b.init_parameters();
    REQUIRE(a.params().value == b.params().value);
    c.seed = 8;
    Transformer<float> d(c);
    d.init_parameters();
    REQUIRE(a.params().value != d.params().value);
    // Tensors with the same shape but different names get different values.
    const auto& s = a.spec().layout;
    const float* q = a.params().v(s.at("encoder.layers.0.self_attn.q_proj.weight").offset);
    const float* k = a.params().v(s.at("encoder.layers.0.self_attn.k_proj.weight").offset);
    REQUIRE(q[0] != k[0]);
}

TEST_CASE("subln init: gamma up-scaling, cross-attention left at gain 1", "[model][init]") {
    ModelConfig c = test::tiny_config(NormScheme::SubLN);
    const ResidualConstants rc = resolve_residual_constants(c);
    ParamEntry e{"decoder.layers.1.encoder_attn.v_proj.weight", {8, 8}, 0, 64};
    REQUIRE(init_rule(e, c, rc).gain == 1.0);
    e.name = "decoder.layers.1.self_attn.v_proj.weight";
    REQUIRE(init_rule(e, c, rc).gain == Approx(rc.beta_dec));
    REQUIRE(rc.beta_dec > 1.0);
    e.name = "encoder.layers.1.fc2.weight";
    REQUIRE(init_rule(e, c, rc).gain == Approx(rc.beta_enc));
}
