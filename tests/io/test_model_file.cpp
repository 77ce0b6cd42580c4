// Model file round trip: weights, config and metadata survive; bad files give clear errors.
#include <cstdio>
#include <fstream>

#include "src/config/command_line.h"
#include "src/core/base64.h"
#include "src/core/error.h"
#include "src/io/model_file.h"
#include "support/gradcheck.h"
#include "model/tiny_model.h"

using namespace deepnet;

TEST_CASE("base64 round trip and strictness", "[checkpoint]") {
    for (const std::string s : {std::string(""), std::string("f"), std::string("fo"), std::string("foo"),
                                std::string("foob"), std::string("\0\xff\x10zz", 5)})
        REQUIRE(base64_decode(base64_encode(s)) == s);
    REQUIRE(base64_encode("foobar") == "Zm9vYmFy");
    REQUIRE(base64_encode("fooba") == "Zm9vYmE=");
    REQUIRE_THROWS_AS(base64_decode("Zm9v!mFy"), UserError);
    REQUIRE_THROWS_AS(base64_decode("Zm9"), UserError);
}

TEST_CASE("model file round trip", "[checkpoint]") {
    const std::string path = "test_model_file_roundtrip.safetensors";
    const ResolvedOptions opts = parse_options(
        "train", {"--enc-depth", "2", "--dec-depth", "3", "--dim-emb", "16", "--transformer-heads", "2",
                  "--transformer-dim-ffn", "24", "--dim-vocabs", "40", "--transformer-norm", "subln",
                  "--tied-embeddings-all"});
    ModelConfig cfg = model_config_from(opts);
    Transformer<float> m(cfg);
    m.init_parameters();
    ModelMetadata meta;
    meta.config_yaml = dump_config_yaml(opts);
    meta.vocab_proto = std::string("\x0a\x05hello\x00\xff", 9);
    meta.languages = {"de", "en", "fr"};
    meta.target_languages = {"de", "fr"};
    save_model_file(path, m.spec(), m.params().value.data(), meta);

    LoadedModel l = load_model_file(path);
    REQUIRE(l.config.enc_depth == 2);
    REQUIRE(l.config.dec_depth == 3);
    REQUIRE(l.config.norm == NormScheme::SubLN);
    REQUIRE(l.config.tied_embeddings_all);
    REQUIRE(l.config.vocab_size == 40);
    REQUIRE(l.meta.vocab_proto == meta.vocab_proto);
    REQUIRE(l.meta.languages == meta.languages);
    REQUIRE(l.meta.target_languages == meta.target_languages);
    for (const ParamEntry& e : m.spec().layout.entries())
        for (int64_t i = 0; i < e.size; ++i)
            REQUIRE(l.model->params().value[size_t(e.offset + i)] == m.params().value[size_t(e.offset + i)]);
    std::remove(path.c_str());
}

TEST_CASE("loading a missing or foreign file is a clear error", "[checkpoint]") {
    REQUIRE_THROWS_WITH(load_model_file("no-such-model.safetensors"),
                        Catch::Contains("no-such-model.safetensors"));
}
