// The update diagnostics of --log-update-norms (see update_diagnostics.h).
#include "src/train/update_diagnostics.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "src/train/train_log.h"

namespace deepnet {
namespace {

// "encoder.layers.3.fc1.weight" -> "encoder.3.ffn"; "decoder.embed_tokens.weight" -> itself
// without the suffix.
std::string group_of(const std::string& name) {
    for (const char* stack : {"encoder", "decoder"}) {
        const std::string prefix = std::string(stack) + ".layers.";
        if (name.compare(0, prefix.size(), prefix) != 0) continue;
        const size_t dot = name.find('.', prefix.size());
        const std::string layer = name.substr(prefix.size(), dot - prefix.size());
        const std::string rest = dot == std::string::npos ? "" : name.substr(dot + 1);
        const std::string sub = rest.compare(0, 9, "self_attn") == 0      ? "self_attn"
                                : rest.compare(0, 12, "encoder_attn") == 0 ? "encoder_attn"
                                                                           : "ffn";
        return std::string(stack) + "." + layer + "." + sub;
    }
    for (const char* suffix : {".weight", ".bias"}) {
        const std::string s = suffix;
        if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0)
            return name.substr(0, name.size() - s.size());
    }
    return name;
}

double norm_of(const float* v, const std::vector<std::pair<int64_t, int64_t>>& ranges) {
    double s = 0;
    for (const auto& [a, b] : ranges)
        for (int64_t i = a; i < b; ++i) s += double(v[i]) * double(v[i]);
    return std::sqrt(s);
}

// Row L2 norms of (a - b) over the real target tokens of the batch, averaged.
double mean_row_distance(const std::vector<float>& a, const std::vector<float>& b, const Batch& batch, int64_t C) {
    double sum = 0;
    int64_t count = 0;
    for (int64_t s = 0; s < batch.B; ++s)
        for (int64_t t = 0; t < batch.tgt_len[size_t(s)] && t < batch.T; ++t) {
            const size_t row = size_t(s * batch.T + t) * size_t(C);
            double d = 0;
            for (int64_t c = 0; c < C; ++c) {
                const double x = double(a[row + size_t(c)]) - double(b[row + size_t(c)]);
                d += x * x;
            }
            sum += std::sqrt(d);
            ++count;
        }
    return count > 0 ? sum / double(count) : 0.0;
}

std::vector<float> decoder_output_of(Transformer<float>& model, const Batch& b) {
    const StepRng no_dropout{model.config().seed, 0, false};
    model.forward(b, no_dropout);
    const size_t n = size_t(b.B * b.T * model.config().dim_emb);
    std::vector<float> out(n);
    device_copy(Device{}, out.data(), model.context().device, model.decoder_output(), n * sizeof(float));
    return out;
}

std::string matrix_json(const std::vector<std::vector<double>>& m) {
    std::string s = "[";
    for (size_t i = 0; i < m.size(); ++i) {
        s += i ? ",[" : "[";
        for (size_t j = 0; j < m[i].size(); ++j) s += (j ? "," : "") + json_number(m[i][j]);
        s += "]";
    }
    return s + "]";
}

}  // namespace

std::vector<ParamGroup> parameter_groups(const ParamLayout& layout) {
    std::vector<ParamGroup> groups;
    std::map<std::string, size_t> index;
    for (const ParamEntry& e : layout.entries()) {
        const std::string g = group_of(e.name);
        auto it = index.find(g);
        if (it == index.end()) {
            it = index.emplace(g, groups.size()).first;
            groups.push_back({g, {}});
        }
        groups[it->second].ranges.emplace_back(e.offset, e.offset + e.size);
    }
    return groups;
}

bool update_norms_due(int64_t update, int64_t every) {
    if (every <= 0 || update <= 0) return false;
    if (update <= 10) return true;
    if (update <= 100) return update % 10 == 0;
    return update % every == 0;
}

Batch probe_batch(const ParallelData& data, const ModelConfig& cfg) {
    std::vector<std::vector<int64_t>> sources, targets;
    for (int64_t i = 0; i < std::min<int64_t>(16, data.total_pairs()); ++i) {
        sources.push_back(data.source(i));
        targets.push_back(data.target(i));
    }
    DEEPNET_CHECK(!sources.empty(), "update diagnostics: no sentence pairs for the probe batch");
    return make_batch(sources, targets, cfg);
}

void UpdateDiagnostics::before_step(const Params<float>& params, const ParamLayout& layout, double grad_scale) {
    if (groups_.empty()) groups_ = parameter_groups(layout);
    before_ = params.value.to_vector();
    const std::vector<float> grad = params.grad.to_vector();
    grad_norms_.clear();
    for (const ParamGroup& g : groups_) grad_norms_.push_back(norm_of(grad.data(), g.ranges) * std::fabs(grad_scale));
}

const std::vector<float>& UpdateDiagnostics::initial_output(const ModelConfig& cfg) {
    if (initial_output_.empty()) {
        ModelConfig c = cfg;
        c.recompute = false;
        Transformer<float> start(c);  // on the CPU: once per process
        start.init_parameters();
        initial_output_ = decoder_output_of(start, probe_);
    }
    return initial_output_;
}

std::string UpdateDiagnostics::after_step(int64_t update, Transformer<float>& model) {
    DEEPNET_CHECK(!before_.empty(), "update diagnostics: after_step without before_step");
    const std::vector<float> after = model.params().value.to_vector();
    std::string s = "{\"type\":\"update_norms\",\"updates\":" + std::to_string(update) + ",\"groups\":[";
    for (size_t i = 0; i < groups_.size(); ++i) {
        const ParamGroup& g = groups_[i];
        double delta = 0;
        for (const auto& [a, b] : g.ranges)
            for (int64_t k = a; k < b; ++k) {
                const double d = double(after[size_t(k)]) - double(before_[size_t(k)]);
                delta += d * d;
            }
        const double w = norm_of(before_.data(), g.ranges);
        s += std::string(i ? "," : "") + "{\"name\":\"" + g.name + "\",\"grad_norm\":" + json_number(grad_norms_[i]) +
             ",\"rel_update\":" + json_number(w > 0 ? std::sqrt(delta) / w : 0.0) + "}";
    }
    before_.clear();
    const std::vector<float>& start = initial_output(model.config());
    LayerNormInputs ln;
    model.record_layer_norm_inputs(&ln);
    const std::vector<float> now = decoder_output_of(model, probe_);
    model.record_layer_norm_inputs(nullptr);
    s += "],\"model_update\":" + json_number(mean_row_distance(now, start, probe_, model.config().dim_emb));
    s += ",\"ln_input_rms\":{\"encoder\":" + matrix_json(ln.encoder) + ",\"decoder\":" + matrix_json(ln.decoder) + "}}";
    return s;
}

}  // namespace deepnet
