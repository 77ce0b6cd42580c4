// A tiny model memorises 8 sentence pairs: the loss falls to near zero in every norm scheme.
#include "src/model/transformer.h"
#include "src/train/optimizer.h"
#include "support/gradcheck.h"

using namespace deepnet;

namespace {

double train_tiny(NormScheme norm, int steps, double* first_loss) {
    ModelConfig c;
    c.enc_depth = 2;
    c.dec_depth = 2;
    c.dim_emb = 32;
    c.heads = 4;
    c.dim_ffn = 64;
    c.vocab_size = 24;
    c.norm = norm;
    c.dropout = 0;
    c.label_smoothing = 0;
    Transformer<float> m(c);
    m.init_parameters();
    // Eight pairs: the target is the source reversed with every token shifted by one.
    std::vector<std::vector<int64_t>> src, tgt;
    for (int i = 0; i < 8; ++i) {
        std::vector<int64_t> s, t;
        for (int j = 0; j < 3 + i % 4; ++j) s.push_back(4 + (i * 5 + j * 3) % 19);
        for (auto it = s.rbegin(); it != s.rend(); ++it) t.push_back(4 + (*it - 4 + 1) % 20);
        src.push_back(s);
        tgt.push_back(t);
    }
    const Batch b = make_batch(src, tgt, c);
    AdamW<float> opt(AdamConfig{0.9, 0.98, 1e-9, 0, 0});
    double loss = 0;
    for (int step = 0; step < steps; ++step) {
        StepRng rng{c.seed, uint64_t(step), true};
        m.params().zero_grad();
        const LossStats st = m.forward(b, rng);
        loss = st.loss / double(st.tokens);
        if (step == 0) *first_loss = loss;
        m.backward(b, rng, 1.0 / double(st.tokens));
        opt.step(m.params(), 3e-3);
    }
    return loss;
}

}  // namespace

TEST_CASE("a tiny model overfits 8 sentence pairs", "[model][overfit]") {
    for (NormScheme norm : {NormScheme::DeepNorm, NormScheme::Post, NormScheme::Pre, NormScheme::SubLN}) {
        INFO("norm " << to_string(norm));
        double first = 0;
        const double last = train_tiny(norm, 300, &first);
        REQUIRE(first > 2.5);   // about log(24) at the start
        REQUIRE(last < 0.05);   // memorised
    }
}
