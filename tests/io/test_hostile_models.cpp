// Model files from strangers: sizes checked before anything is allocated, shapes checked
// against the stored config before the model is built, non-finite weights and damaged or
// altered files refused, every case a UserError naming the file (never a crash, a huge
// allocation or an internal error).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "src/config/command_line.h"
#include "src/core/atomic_file.h"
#include "src/core/error.h"
#include "src/io/model_file.h"
#include "src/model/model_limits.h"
#include "src/io/safetensors.h"

using namespace deepnet;

namespace {

struct TinyModelFile {
    std::string path;
    ModelMetadata meta;
    std::unique_ptr<Transformer<float>> model;

    explicit TinyModelFile(const std::string& name) : path("test_hostile_" + name + ".safetensors") {
        const ResolvedOptions opts = parse_options(
            "train", {"--enc-depth", "1", "--dec-depth", "1", "--dim-emb", "8", "--transformer-heads", "2",
                      "--transformer-dim-ffn", "12", "--dim-vocabs", "20"});
        model = std::make_unique<Transformer<float>>(model_config_from(opts));
        model->init_parameters();
        meta.config_yaml = dump_config_yaml(opts);
        meta.vocab_proto = "vocab";
        save_model_file(path, model->spec(), model->params().value.data(), meta);
    }
    ~TinyModelFile() { std::remove(path.c_str()); }

    // The same tensors (as a stranger would write them: no checksum) with edits.
    void rewrite(const std::function<void(SafetensorsFile&)>& edit) const {
        SafetensorsFile f = load_safetensors(path);
        edit(f);
        std::vector<TensorRecord> records;
        for (auto& [name, t] : f.tensors) records.push_back(t);
        save_safetensors(path, records, f.metadata);
    }
};

void set_config_value(SafetensorsFile& f, const std::string& key, const std::string& value) {
    std::string& yaml = f.metadata.at("config");
    yaml = std::regex_replace(yaml, std::regex("(^|\\n)" + key + ": [^\\n]*"), "$1" + key + ": " + value);
}

}  // namespace

TEST_CASE("model sizes are checked before allocation, with overflow-safe arithmetic", "[checkpoint][hostile]") {
    ModelConfig c;
    c.vocab_size = 100;
    REQUIRE_NOTHROW(check_model_config(c, "test"));
    c.dim_emb = int64_t(1) << 62;
    c.heads = 1;
    REQUIRE_THROWS_AS(check_model_config(c, "test"), UserError);
    REQUIRE_THROWS_AS(declare_model(c), UserError);  // not an overflow, not a crash
    c = ModelConfig{};
    c.vocab_size = 100;
    c.heads = 7;  // 512 % 7 != 0
    REQUIRE_THROWS_WITH(check_model_config(c, "test"), Catch::Contains("divisible"));
    c = ModelConfig{};
    c.vocab_size = kMaxVocab;
    c.dim_emb = kMaxDimEmb;
    c.dim_ffn = kMaxDimFfn;
    REQUIRE_THROWS_WITH(check_model_config(c, "test"), Catch::Contains("parameters"));
    REQUIRE_THROWS_AS(checked_mul(int64_t(1) << 40, int64_t(1) << 40, "x"), UserError);
    ParamLayout layout;
    REQUIRE_THROWS_AS(layout.add("w", {int64_t(1) << 40, int64_t(1) << 40}), Error);
    REQUIRE_THROWS_WITH(check_fits_in_memory(int64_t(1) << 62, "the test", "buy memory"),
                        Catch::Contains("the test") && Catch::Contains("buy memory"));
}

TEST_CASE("the command line refuses sizes past the ceilings", "[checkpoint][hostile]") {
    REQUIRE_THROWS_AS(parse_options("train", {"--transformer-heads", "1", "--dim-emb", "4611686018427387904"}),
                      UserError);
    REQUIRE_THROWS_AS(parse_options("train", {"--dim-vocabs", "100000000"}), UserError);
}

TEST_CASE("a model file's stored config is validated before the model is built", "[checkpoint][hostile]") {
    TinyModelFile f("config");
    REQUIRE_NOTHROW(load_model_file(f.path));
    SECTION("huge dim-emb") {
        f.rewrite([](SafetensorsFile& s) { set_config_value(s, "dim-emb", "1099511627776"); });
        REQUIRE_THROWS_AS(load_model_file(f.path), UserError);
    }
    SECTION("dim-emb that the heads do not divide") {
        f.rewrite([](SafetensorsFile& s) { set_config_value(s, "transformer-heads", "3"); });
        REQUIRE_THROWS_WITH(load_model_file(f.path), Catch::Contains(f.path) && Catch::Contains("divisible"));
    }
    SECTION("an embedding of 4,194,304 x 0: refused by shape, nothing allocated") {
        f.rewrite([](SafetensorsFile& s) {
            s.tensors["encoder.embed_tokens.weight"] = TensorRecord{"encoder.embed_tokens.weight", "F32",
                                                                    {4194304, 0}, ""};
        });
        REQUIRE_THROWS_WITH(load_model_file(f.path), Catch::Contains("wrong shape"));
    }
    SECTION("an embedding with more rows than the vocabulary ceiling") {
        f.rewrite([](SafetensorsFile& s) {
            s.tensors["encoder.embed_tokens.weight"] = TensorRecord{"encoder.embed_tokens.weight", "F32",
                                                                    {int64_t(1) << 30, 0}, ""};
        });
        REQUIRE_THROWS_WITH(load_model_file(f.path), Catch::Contains("out of range"));
    }
}

TEST_CASE("a model with NaN or Inf weights is refused", "[checkpoint][hostile]") {
    TinyModelFile f("nan");
    f.rewrite([](SafetensorsFile& s) {
        TensorRecord& t = s.tensors.at("decoder.layers.0.fc1.weight");
        const float nan = std::nanf("");
        std::memcpy(t.bytes.data() + 8, &nan, 4);
    });
    REQUIRE_THROWS_WITH(load_model_file(f.path),
                        Catch::Contains("decoder.layers.0.fc1.weight") && Catch::Contains("NaN"));
}

TEST_CASE("model files carry a checksum: an altered file is refused", "[checkpoint][hostile]") {
    TinyModelFile f("checksum");
    REQUIRE(load_safetensors(f.path).checksummed);
    REQUIRE_NOTHROW(verify_safetensors(f.path));
    std::string bytes = read_file(f.path);
    SECTION("a flipped bit in the weights") {
        bytes[bytes.size() - 5] ^= 0x10;
    }
    SECTION("another vocabulary of the same size") {
        const size_t at = bytes.find(std::string("dm9jYWI=")  /* base64 of "vocab" */);
        REQUIRE(at != std::string::npos);
        bytes[at] = bytes[at] == 'd' ? 'e' : 'd';
    }
    write_file_atomic(f.path, bytes);
    REQUIRE_THROWS_WITH(load_model_file(f.path), Catch::Contains("damaged") && Catch::Contains(f.path));
    REQUIRE_THROWS_WITH(verify_safetensors(f.path), Catch::Contains("damaged"));
}

TEST_CASE("inference loads weights without gradients", "[checkpoint][hostile]") {
    TinyModelFile f("nograd");
    const LoadedModel l = load_model_file(f.path);
    REQUIRE(l.model->params().grad.empty());
    REQUIRE(l.model->params().value.size() == size_t(l.model->spec().layout.total()));
}
