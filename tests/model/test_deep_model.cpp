// The paper's depth: a 500+500-layer DeepNorm model (tiny width) runs forward and backward
// with recompute, with a finite loss and gradients that reach the bottom encoder layer.
#include <cmath>

#include "src/model/transformer.h"
#include "support/gradcheck.h"
#include "tiny_model.h"

using namespace deepnet;

TEST_CASE("a 1,000-layer DeepNorm model trains a step with recompute", "[model][deep]") {
    ModelConfig c = test::tiny_config(NormScheme::DeepNorm);
    c.enc_depth = 500;
    c.dec_depth = 500;
    c.recompute = true;
    Transformer<float> m(c);
    m.init_parameters();
    const Batch b = test::tiny_batch(c);
    const StepRng rng{c.seed, 1, true};
    const LossStats st = m.forward(b, rng);
    const double per_token = st.loss / double(st.tokens);
    INFO("loss per token " << per_token);
    REQUIRE(std::isfinite(per_token));
    REQUIRE(per_token < 2 * std::log(double(c.vocab_size)));  // near log V at init, not blown up
    m.backward(b, rng, 1.0 / double(st.tokens));
    double total = 0, bottom = 0;
    for (float g : m.params().grad) total += double(g) * g;
    const ParamEntry& e = m.spec().layout.at("encoder.layers.0.fc1.weight");
    for (int64_t i = 0; i < e.size; ++i) bottom += std::pow(double(m.params().grad[size_t(e.offset + i)]), 2);
    REQUIRE(std::isfinite(total));
    REQUIRE(bottom > 0);
}
