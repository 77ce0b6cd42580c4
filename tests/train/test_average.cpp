// `deepnet average`: the mean of checkpoints in double, chosen as files, as the last N kept
// copies, or as the N best by a validation metric in the run's JSON log; clear errors.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "src/app/commands.h"
#include "src/core/error.h"
#include "src/io/safetensors.h"
#include "src/train/checkpoints.h"
#include "train_fixture.h"

using namespace deepnet;
using namespace deepnet::test;

namespace {

// A run of 8 updates saving and validating every 2, keeping 4 copies: iter2 .. iter8.
struct AverageRun {
    std::string dir, model;
    AverageRun() {
        // One directory per process: CTest runs each test case as its own process, in parallel.
        dir = make_task_dir("average_" + std::to_string(::getpid()));
        model = dir + "/m.safetensors";
        auto args = tiny_run_args(dir, "m.safetensors");
        set_arg(args, "--after-batches", "8");
        set_arg(args, "--save-freq", "2");
        set_arg(args, "--valid-freq", "2");
        set_arg(args, "--keep-checkpoints", "4");
        set_arg(args, "--valid-metrics", "cross-entropy");
        args.insert(args.end(), {"--valid-sets", dir + "/valid.en", dir + "/valid.xx"});
        REQUIRE(train_with(args) == 0);
    }
};

AverageRun& run() {
    static AverageRun r;
    return r;
}

// The float mean of the files' tensors, summed in double: what `deepnet average` must write.
std::map<std::string, std::vector<float>> expected_mean(const std::vector<std::string>& files) {
    std::map<std::string, std::vector<double>> sum;
    for (const auto& f : files)
        for (const auto& [name, t] : load_safetensors(f).tensors) {
            const std::vector<float> v = as_f32(t);
            auto& s = sum[name];
            s.resize(v.size(), 0.0);
            for (size_t i = 0; i < v.size(); ++i) s[i] += double(v[i]);
        }
    std::map<std::string, std::vector<float>> out;
    for (const auto& [name, s] : sum)
        for (double x : s) out[name].push_back(float(x / double(files.size())));
    return out;
}

std::map<std::string, std::vector<float>> tensors_of(const std::string& file) {
    std::map<std::string, std::vector<float>> out;
    for (const auto& [name, t] : load_safetensors(file).tensors) out[name] = as_f32(t);
    return out;
}

}  // namespace

TEST_CASE("average: the mean of the given files, summed in double", "[train][average]") {
    const AverageRun& r = run();
    const std::vector<std::string> files = {iter_model_path(r.model, 2), iter_model_path(r.model, 4),
                                            iter_model_path(r.model, 8)};
    const std::string out = r.dir + "/avg-files.safetensors";
    REQUIRE(run_average({"-m", files[0], files[1], files[2], "-o", out, "--quiet"}) == 0);
    const auto got = tensors_of(out);
    REQUIRE(got == expected_mean(files));
    REQUIRE(got != tensors_of(files[2]));  // really a mean, not a copy of one input
    // The output is an ordinary model file: its metadata is the last input's.
    REQUIRE(load_safetensors(out).metadata.at("config") == load_safetensors(files[2]).metadata.at("config"));
    // Averaging one model gives the same weights back.
    REQUIRE(run_average({"-m", files[1], "-o", out, "--quiet"}) == 0);
    REQUIRE(tensors_of(out) == tensors_of(files[1]));
}

TEST_CASE("average --last N: the N newest kept copies", "[train][average]") {
    const AverageRun& r = run();
    const std::string out = r.dir + "/avg-last.safetensors";
    REQUIRE(run_average({"-m", r.model, "--last", "3", "-o", out, "--quiet"}) == 0);
    REQUIRE(tensors_of(out) == expected_mean({iter_model_path(r.model, 4), iter_model_path(r.model, 6),
                                              iter_model_path(r.model, 8)}));
    REQUIRE_THROWS_WITH(run_average({"-m", r.model, "--last", "5", "-o", out}),
                        Catch::Contains("has 4 iteration copies (updates 2, 4, 6, 8)"));
    REQUIRE_THROWS_WITH(run_average({"-m", r.model, "--last", "2", "--best", "2", "-o", out}),
                        Catch::Contains("not both"));
    REQUIRE_THROWS_WITH(run_average({"-m", r.model, r.model, "--last", "2", "-o", out}),
                        Catch::Contains("take one -m"));
}

TEST_CASE("average --best N: the N best validated copies by the run's metric", "[train][average]") {
    const AverageRun& r = run();
    const auto updates = json_field(r.model + ".train.jsonl", "valid", "updates");
    const auto values = json_field(r.model + ".train.jsonl", "valid", "value");
    REQUIRE(updates.size() == 4);
    // Lowest cross-entropy first.
    std::vector<std::pair<double, int>> ranked;
    for (size_t i = 0; i < updates.size(); ++i) ranked.emplace_back(std::stod(values[i]), std::stoi(updates[i]));
    std::sort(ranked.begin(), ranked.end());
    const std::string out = r.dir + "/avg-best.safetensors";
    REQUIRE(run_average({"-m", r.model, "--best", "2", "-o", out, "--quiet"}) == 0);
    REQUIRE(tensors_of(out) == expected_mean({iter_model_path(r.model, ranked[0].second),
                                              iter_model_path(r.model, ranked[1].second)}));
    REQUIRE_THROWS_WITH(run_average({"-m", r.model, "--best", "2", "--valid-metric", "bleu", "-o", out}),
                        Catch::Contains("records no validation of metric 'bleu'"));
    REQUIRE_THROWS_WITH(run_average({"-m", r.model, "--best", "5", "-o", out}),
                        Catch::Contains("only 4 validated updates"));
    REQUIRE_THROWS_WITH(run_average({"-m", r.model, "--best", "1", "--valid-metric", "bogus", "-o", out}),
                        Catch::Contains("is not one of") && Catch::Contains("translation or valid-script"));
    // Every metric training can validate is a name --best accepts (this run logged none of them).
    REQUIRE_THROWS_WITH(run_average({"-m", r.model, "--best", "1", "--valid-metric", "translation", "-o", out}),
                        Catch::Contains("records no validation of metric 'translation'"));
}

TEST_CASE("average refuses models of another architecture or vocabulary, and missing files",
          "[train][average]") {
    const AverageRun& r = run();
    const std::string other_dir = make_task_dir("average_other_" + std::to_string(::getpid()));
    auto args = tiny_run_args(other_dir, "wide.safetensors");
    set_arg(args, "--after-batches", "1");
    set_arg(args, "--dim-emb", "16");
    REQUIRE(train_with(args) == 0);
    const std::string out = r.dir + "/avg-bad.safetensors";
    REQUIRE_THROWS_WITH(run_average({"-m", r.model, other_dir + "/wide.safetensors", "-o", out}),
                        Catch::Contains("another architecture"));
    REQUIRE_THROWS_WITH(run_average({"-m", r.model, r.dir + "/missing.safetensors", "-o", out}),
                        Catch::Contains("missing.safetensors"));
    REQUIRE_THROWS_WITH(run_average({"-m", r.model}), Catch::Contains("-o/--output"));
    REQUIRE_THROWS_WITH(run_average({"-o", out}), Catch::Contains("no models given"));
}
