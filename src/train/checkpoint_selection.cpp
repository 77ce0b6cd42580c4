// Choosing kept checkpoints by recency or validation score (see checkpoint_selection.h).
#include "src/train/checkpoint_selection.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>

#include "src/core/error.h"
#include "src/train/checkpoints.h"
#include "src/train/validator.h"

namespace deepnet {
namespace {

std::string listing(const std::vector<int64_t>& updates) {
    if (updates.empty()) return "none";
    std::string s;
    for (const int64_t u : updates) s += (s.empty() ? "" : ", ") + std::to_string(u);
    return s;
}

std::string no_copies_hint(const std::string& model) {
    return "; iteration copies are kept by training with --keep-checkpoints N (N > 1), next to " + model;
}

// update -> value of `metric` (the last validation of each update wins: a resumed run may
// validate an update again). `metric` "" becomes the first metric found.
std::map<int64_t, double> validation_scores(const std::string& log_json, std::string& metric) {
    std::ifstream in(log_json);
    DEEPNET_USER_CHECK(in.good(), "cannot read the JSON log '" << log_json
                                                               << "' (--log-json of the training run)");
    std::map<int64_t, double> out;
    std::string line;
    int64_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (line.find("\"type\":\"valid\"") == std::string::npos) continue;
        YAML::Node r;
        try {
            r = YAML::Load(line);
        } catch (const YAML::Exception&) {
            throw UserError(log_json + " line " + std::to_string(number) +
                            " is not a JSON record: the log is damaged");
        }
        if (!r["metric"] || !r["updates"] || !r["value"] || !r["direction"]) continue;
        if (!r["direction"].as<std::string>().empty()) continue;  // per-direction scores
        const std::string m = r["metric"].as<std::string>();
        if (metric.empty()) metric = m;
        if (m != metric) continue;
        double value = 0;
        if (!YAML::convert<double>::decode(r["value"], value) || !std::isfinite(value)) continue;
        out[r["updates"].as<int64_t>()] = value;
    }
    return out;
}

}  // namespace

std::vector<std::string> last_checkpoints(const std::string& model, int64_t n) {
    DEEPNET_USER_CHECK(n >= 1, "--last needs at least 1 checkpoint");
    const std::vector<int64_t> kept = kept_iterations(model);
    DEEPNET_USER_CHECK(int64_t(kept.size()) >= n, "--last " << n << ": " << model << " has "
                           << kept.size() << " iteration copies (updates " << listing(kept) << ")"
                           << (kept.empty() ? no_copies_hint(model) : ""));
    std::vector<std::string> out;
    for (size_t i = kept.size() - size_t(n); i < kept.size(); ++i) out.push_back(iter_model_path(model, kept[i]));
    return out;
}

std::vector<std::string> best_checkpoints(const std::string& model, const std::string& log_json,
                                          const std::string& metric, int64_t n) {
    DEEPNET_USER_CHECK(n >= 1, "--best needs at least 1 checkpoint");
    std::string chosen = metric;
    const std::map<int64_t, double> scores = validation_scores(log_json, chosen);
    DEEPNET_USER_CHECK(!scores.empty(), log_json << " records no validation"
                                                  << (metric.empty() ? "" : " of metric '" + metric + "'")
                                                  << ": --best needs a run that validated");
    const std::vector<int64_t> kept = kept_iterations(model);
    const std::set<int64_t> present(kept.begin(), kept.end());
    std::vector<std::pair<int64_t, double>> candidates;
    for (const auto& [update, value] : scores)
        if (present.count(update)) candidates.emplace_back(update, value);
    DEEPNET_USER_CHECK(int64_t(candidates.size()) >= n,
                       "--best " << n << ": only " << candidates.size() << " validated updates of '" << chosen
                                 << "' still have an iteration copy (copies: " << listing(kept)
                                 << "); validate at every save (--valid-freq = --save-freq) and keep more "
                                 << "copies (--keep-checkpoints)" << (kept.empty() ? no_copies_hint(model) : ""));
    std::stable_sort(candidates.begin(), candidates.end(), [&](const auto& a, const auto& b) {
        if (a.second != b.second) return metric_improves(chosen, a.second, b.second);
        return a.first > b.first;
    });
    std::vector<std::string> out;
    for (int64_t i = 0; i < n; ++i) out.push_back(iter_model_path(model, candidates[size_t(i)].first));
    return out;
}

}  // namespace deepnet
