// Layer-level gradient checks in double: one encoder layer and one decoder layer on their
// own, every norm scheme, inputs (x, encoder output) and every parameter tensor.
#include "src/layers/decoder_layer.h"
#include "src/layers/encoder_layer.h"
#include "src/model/model_config.h"  // to_string(NormScheme)
#include "support/gradcheck.h"

using namespace deepnet;
using namespace deepnet::test;

namespace {

const int64_t B = 2, T = 3, S = 4, C = 8, F = 10, H = 2;
const int64_t kTgtLen[] = {3, 2}, kSrcLen[] = {4, 1};

SublayerCfg layer_cfg(NormScheme norm) {
    SublayerCfg c;
    c.scheme = norm;
    c.alpha = norm == NormScheme::DeepNorm ? 1.9 : 1.0;
    c.dropout = 0.2;
    c.dropout_attention = 0.2;
    c.dropout_ffn = 0.2;
    c.act = kernels::ActKind::GELU;
    c.heads = H;
    return c;
}

void randomize(Params<double>& p, uint64_t seed) {
    p.value.assign(random_vec(p.value.size(), seed, 0.4));
    p.zero_grad();
}

double project(const std::vector<double>& y, const std::vector<double>& r) {
    double s = 0;
    for (size_t i = 0; i < r.size(); ++i) s += r[i] * y[i];
    return s;
}

}  // namespace

TEST_CASE("encoder layer gradients match finite differences", "[layer][grad]") {
    for (NormScheme norm : {NormScheme::Post, NormScheme::Pre, NormScheme::DeepNorm, NormScheme::SubLN}) {
        INFO("norm " << to_string(norm));
        ParamLayout layout;
        const EncoderLayerSpec spec = declare_encoder_layer(layout, "encoder.layers.0.", C, F, norm, 0);
        Params<double> p;
        const Context ctx;  // the CPU, float64 GEMMs
        p.allocate(layout);
        randomize(p, 5);
        const SublayerCfg cfg = layer_cfg(norm);
        const SeqShape ss{B, S, kSrcLen};
        const StepRng rng{3, 1, true};
        auto x = random_vec(B * S * C, 6);
        const auto r = random_vec(B * S * C, 7);
        EncoderLayerSaved<double> sv;
        LayerScratch<double> ws;
        std::vector<double> y(B * S * C), dx(B * S * C);
        auto loss = [&] {
            encoder_layer_forward(ctx, p, spec, cfg, rng, sv, y.data(), x.data(), ss);
            return project(y, r);
        };
        loss();
        encoder_layer_backward(ctx, p, spec, cfg, rng, sv, ws, dx.data(), r.data(), x.data(), ss);
        const std::vector<double> g = p.grad.to_vector();
        check_gradient("dx", loss, x.data(), dx.data(), x.size(), 48);
        for (const ParamEntry& e : layout.entries())
            check_gradient(e.name, loss, p.value.data() + e.offset, g.data() + e.offset, size_t(e.size), 12);
    }
}

TEST_CASE("decoder layer gradients match finite differences", "[layer][grad]") {
    for (NormScheme norm : {NormScheme::Post, NormScheme::Pre, NormScheme::DeepNorm, NormScheme::SubLN}) {
        INFO("norm " << to_string(norm));
        ParamLayout layout;
        const DecoderLayerSpec spec = declare_decoder_layer(layout, "decoder.layers.0.", C, F, norm, 9);
        Params<double> p;
        const Context ctx;  // the CPU, float64 GEMMs
        p.allocate(layout);
        randomize(p, 15);
        const SublayerCfg cfg = layer_cfg(norm);
        const SeqShape ts{B, T, kTgtLen}, ss{B, S, kSrcLen};
        const StepRng rng{3, 1, true};
        auto x = random_vec(B * T * C, 16), enc = random_vec(B * S * C, 17);
        const auto r = random_vec(B * T * C, 18);
        DecoderLayerSaved<double> sv;
        LayerScratch<double> ws;
        std::vector<double> y(B * T * C), dx(B * T * C), denc(B * S * C, 0.0);
        auto loss = [&] {
            decoder_layer_forward(ctx, p, spec, cfg, rng, sv, y.data(), x.data(), enc.data(), ts, ss);
            return project(y, r);
        };
        loss();
        decoder_layer_backward(ctx, p, spec, cfg, rng, sv, ws, dx.data(), denc.data(), r.data(),
                               x.data(), enc.data(), ts, ss);
        const std::vector<double> g = p.grad.to_vector();
        check_gradient("dx", loss, x.data(), dx.data(), x.size(), 48);
        // Only sentence 0 attends to all 4 source positions; check the encoder gradient there.
        check_gradient("denc", loss, enc.data(), denc.data(), size_t(S * C), 32);
        for (const ParamEntry& e : layout.entries())
            check_gradient(e.name, loss, p.value.data() + e.offset, g.data() + e.offset, size_t(e.size), 12);
    }
}
