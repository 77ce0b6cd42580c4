// --pretrained-model (Marian's option; fine-tuning): a fresh run starts from the weights and
// the vocabulary of a model file, the optimizer afresh; the model options (shapes, DeepNorm
// alpha) must be the file's (a clear error lists the file's), the data's language tags must
// be in its vocabulary; a run that resumes its own state ignores it.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "src/core/error.h"
#include "src/io/safetensors.h"
#include "train_fixture.h"

using namespace deepnet;
using namespace deepnet::test;

namespace {

// Largest |a - b| over the float32 tensors of two model files with the same names.
double max_weight_difference(const std::string& a, const std::string& b) {
    const SafetensorsFile fa = load_safetensors(a), fb = load_safetensors(b);
    REQUIRE(fa.tensors.size() == fb.tensors.size());
    double worst = 0;
    for (const auto& [name, ra] : fa.tensors) {
        const TensorRecord& rb = fb.tensors.at(name);
        REQUIRE(ra.bytes.size() == rb.bytes.size());
        const auto* pa = reinterpret_cast<const float*>(ra.bytes.data());
        const auto* pb = reinterpret_cast<const float*>(rb.bytes.data());
        for (size_t i = 0; i < ra.bytes.size() / sizeof(float); ++i)
            worst = std::max(worst, double(std::fabs(pa[i] - pb[i])));
    }
    return worst;
}

std::string user_error_of(const std::vector<std::string>& args) {
    try {
        train_with(args);
    } catch (const UserError& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("fine-tuning: --pretrained-model starts a fresh run from the file's weights and vocabulary", "[train][pretrained]") {
    // One directory per process: CTest runs each test case as its own process, in parallel.
    const std::string dir = make_task_dir("pretrained_" + std::to_string(::getpid()));
    auto base = tiny_run_args(dir, "base.safetensors");
    set_arg(base, "--after-batches", "30");
    REQUIRE(train_with(base) == 0);
    const std::string pre = dir + "/base.safetensors";

    // One update at a learning rate of 1e-9 (Adam moves each weight by about that): the
    // weights stay the pretrained ones, while a fresh initialisation is far from them. The
    // vocabulary is the file's: the one --vocabs names is neither read nor written.
    auto tune = tiny_run_args(dir, "tuned.safetensors");
    set_arg(tune, "--after-batches", "1");
    set_arg(tune, "--learn-rate", "1e-9");
    set_arg(tune, "--vocabs", dir + "/not-written.spm");
    set_arg(tune, "--pretrained-model", pre);
    REQUIRE(train_with(tune) == 0);
    CHECK(max_weight_difference(pre, dir + "/tuned.safetensors") < 1e-6);
    CHECK_FALSE(std::filesystem::exists(dir + "/not-written.spm"));
    auto fresh = tiny_run_args(dir, "fresh.safetensors");
    set_arg(fresh, "--after-batches", "1");
    set_arg(fresh, "--learn-rate", "1e-9");
    REQUIRE(train_with(fresh) == 0);
    CHECK(max_weight_difference(pre, dir + "/fresh.safetensors") > 1e-2);
    // The first loss of the tuned run is the trained model's, far below the fresh one's.
    const double tuned_loss = std::stod(json_field(dir + "/tuned.safetensors.train.jsonl", "train", "loss").at(0));
    const double fresh_loss = std::stod(json_field(dir + "/fresh.safetensors.train.jsonl", "train", "loss").at(0));
    CHECK(tuned_loss < fresh_loss - 0.3);

    // Resuming the tuned run ignores --pretrained-model (its own state wins, as in Marian):
    // a missing file is then no error.
    auto resume = tune;
    set_arg(resume, "--after-batches", "2");
    set_arg(resume, "--pretrained-model", dir + "/gone.safetensors");
    REQUIRE(train_with(resume) == 0);
    CHECK(json_field(dir + "/tuned.safetensors.train.jsonl", "train", "loss").size() == 2);

    // Other model options: an error that names the file and lists its options.
    auto deeper = tiny_run_args(dir, "deeper.safetensors");
    set_arg(deeper, "--enc-depth", "3");
    set_arg(deeper, "--pretrained-model", pre);
    const std::string e = user_error_of(deeper);
    CHECK_THAT(e, Catch::Contains("the pretrained model " + pre) && Catch::Contains("--enc-depth 2 --dec-depth 2") &&
                      Catch::Contains("--dim-emb 32"));
    // Same shapes, another function: a DeepNorm alpha the file was not trained with.
    auto alpha = tiny_run_args(dir, "alpha.safetensors");
    set_arg(alpha, "--deepnorm-alpha-enc", "1.5");
    set_arg(alpha, "--pretrained-model", pre);
    CHECK_THAT(user_error_of(alpha), Catch::Contains("DeepNorm alpha") && Catch::Contains("the pretrained model"));
    // A target-language tag its vocabulary lacks: fine-tuning cannot add a language.
    auto tagged = tiny_run_args(dir, "tagged.safetensors");
    set_arg(tagged, "--pretrained-model", pre);
    tagged.push_back("--lang-tags");
    CHECK_THAT(user_error_of(tagged), Catch::Contains("has no language tag <2xx>") &&
                                          Catch::Contains("a new target language needs a new model"));
    // A file that is not there, without a state to resume: the loader's error names it.
    auto missing = tiny_run_args(dir, "missing.safetensors");
    set_arg(missing, "--pretrained-model", dir + "/gone.safetensors");
    CHECK_THAT(user_error_of(missing), Catch::Contains("gone.safetensors"));
}
