// Whole-model gradient checks in double, in every norm scheme, with and without tied
// embeddings and recompute, dropout on (its masks are replayed by the counter RNG).
#include "src/model/transformer.h"
#include "support/gradcheck.h"
#include "tiny_model.h"

using namespace deepnet;
using namespace deepnet::test;

namespace {

void check_model_gradients(const ModelConfig& cfg) {
    Transformer<double> model(cfg);
    model.init_parameters();
    // Move every parameter off its init (LayerNorm gains of exactly 1, zero biases) so the
    // check covers general values.
    auto& v = model.params().value;
    const auto noise = random_vec(v.size(), 99, 0.05);
    for (size_t i = 0; i < v.size(); ++i) v[i] += noise[i];
    const Batch batch = tiny_batch(cfg);
    StepRng rng{cfg.seed, 3, true};
    const double scale = 1.0 / double(batch.target_tokens);

    model.params().zero_grad();
    model.forward(batch, rng);
    model.backward(batch, rng, scale);
    const std::vector<double> analytic = model.params().grad.to_vector();
    auto loss = [&] { return model.forward(batch, rng).loss * scale; };

    for (const ParamEntry& e : model.spec().layout.entries()) {
        check_gradient(e.name, loss, v.data() + e.offset, analytic.data() + e.offset,
                       size_t(e.size), 6, 1e-6, 1e-8, 1e-5);
    }
}

}  // namespace

TEST_CASE("model gradients match finite differences in every norm scheme", "[model][grad]") {
    for (NormScheme norm : {NormScheme::Post, NormScheme::Pre, NormScheme::DeepNorm, NormScheme::SubLN}) {
        INFO("norm " << to_string(norm));
        check_model_gradients(tiny_config(norm));
    }
}

TEST_CASE("model gradients with tied embeddings, recompute and ReLU", "[model][grad]") {
    ModelConfig c = tiny_config(NormScheme::DeepNorm);
    SECTION("tied-embeddings-all") { c.tied_embeddings_all = true; }
    SECTION("tied-embeddings (decoder and output)") { c.tied_embeddings = true; }
    SECTION("recompute") { c.recompute = true; }
    SECTION("relu, pre-norm, tied-all, recompute") {
        c.activation = Activation::ReLU;
        c.norm = NormScheme::Pre;
        c.tied_embeddings_all = true;
        c.recompute = true;
    }
    check_model_gradients(c);
}

TEST_CASE("recompute gives bitwise the same gradients", "[model][recompute]") {
    for (NormScheme norm : {NormScheme::DeepNorm, NormScheme::SubLN}) {
        ModelConfig c = tiny_config(norm);
        c.enc_depth = 3;
        c.dec_depth = 3;
        std::vector<float> grads[2];
        double losses[2];
        for (int r = 0; r < 2; ++r) {
            c.recompute = r == 1;
            Transformer<float> m(c);
            m.init_parameters();
            const Batch b = tiny_batch(c);
            StepRng rng{c.seed, 11, true};
            losses[r] = m.forward(b, rng).loss;
            m.backward(b, rng, 0.5);
            grads[r] = m.params().grad.to_vector();
        }
        REQUIRE(losses[0] == losses[1]);
        REQUIRE(grads[0] == grads[1]);
        double norm2 = 0;
        for (float g : grads[0]) norm2 += double(g) * g;
        REQUIRE(norm2 > 0);
    }
}

TEST_CASE("tied embeddings share one tensor", "[model]") {
    ModelConfig c = tiny_config(NormScheme::DeepNorm);
    c.tied_embeddings_all = true;
    const ModelSpec all = declare_model(c);
    REQUIRE(all.src_embed.table == all.tgt_embed.table);
    REQUIRE(all.out_proj == all.src_embed.table);
    REQUIRE_FALSE(all.layout.contains("decoder.embed_tokens.weight"));
    c.tied_embeddings_all = false;
    c.tied_embeddings = true;
    const ModelSpec dec = declare_model(c);
    REQUIRE(dec.src_embed.table != dec.tgt_embed.table);
    REQUIRE(dec.out_proj == dec.tgt_embed.table);
    c.tied_embeddings = false;
    const ModelSpec none = declare_model(c);
    REQUIRE(none.layout.contains("decoder.output_projection.weight"));
}

TEST_CASE("the gradient-ready hook reports each layer once, when its gradient is final", "[model][dist]") {
    for (bool tied : {false, true}) {
        ModelConfig c = tiny_config(NormScheme::DeepNorm);
        c.tied_embeddings_all = tied;
        c.enc_depth = 3;
        c.dec_depth = 2;
        Transformer<float> m(c);
        m.init_parameters();
        const Batch b = tiny_batch(c);
        const StepRng rng{c.seed, 4, true};
        m.forward(b, rng);
        std::vector<std::pair<int64_t, int64_t>> seen;
        std::vector<std::vector<float>> snapshots;
        m.backward(b, rng, 1.0, [&](int64_t begin, int64_t end) {
            seen.emplace_back(begin, end);
            snapshots.emplace_back(m.params().grad.begin() + begin, m.params().grad.begin() + end);
        });
        REQUIRE(seen.size() == size_t(c.enc_depth + c.dec_depth));
        // Decoder top down, then encoder top down.
        REQUIRE(seen[0] == m.spec().dec_ranges[1]);
        REQUIRE(seen[1] == m.spec().dec_ranges[0]);
        REQUIRE(seen[2] == m.spec().enc_ranges[2]);
        REQUIRE(seen[4] == m.spec().enc_ranges[0]);
        for (size_t i = 0; i < seen.size(); ++i) {
            const std::vector<float> now(m.params().grad.begin() + seen[i].first,
                                         m.params().grad.begin() + seen[i].second);
            REQUIRE(now == snapshots[i]);  // nothing touched the bucket after it was reported
            double norm = 0;
            for (float g : now) norm += double(g) * g;
            REQUIRE(norm > 0);
        }
        // The layer ranges hold exactly the layers' tensors.
        for (const ParamEntry& e : m.spec().layout.entries()) {
            const bool in_layer = e.name.find(".layers.") != std::string::npos;
            bool inside = false;
            for (const auto& r : seen) inside = inside || (e.offset >= r.first && e.offset + e.size <= r.second);
            INFO(e.name);
            REQUIRE(inside == in_layer);
        }
    }
}
