// Training state file (see train_state.h).
#include "src/train/train_state.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "src/core/error.h"
#include "src/core/log.h"
#include "src/io/safetensors.h"

namespace deepnet {
namespace {

constexpr const char* kFormat = "deepnet-train-state/1";
const char* const kKinds[] = {"param", "adam_m", "adam_v", "ema"};

const std::vector<float>& buffer(const TrainState& st, int k) {
    return k == 0 ? st.params : k == 1 ? st.adam_m : k == 2 ? st.adam_v : st.ema;
}
std::vector<float>& buffer(TrainState& st, int k) {
    return k == 0 ? st.params : k == 1 ? st.adam_m : k == 2 ? st.adam_v : st.ema;
}

uint64_t parse_fingerprint(const std::string& text, const std::string& origin) {
    const bool digits = !text.empty() && text.size() <= 20 && text.find_first_not_of("0123456789") == std::string::npos;
    errno = 0;
    const unsigned long long v = digits ? std::strtoull(text.c_str(), nullptr, 10) : 0;
    DEEPNET_USER_CHECK(digits && errno == 0, "the progress record in " << origin << " is damaged (data-fingerprint '"
                                                 << text << "' is not a number); start afresh with --no-reload");
    return uint64_t(v);
}

constexpr int64_t kMaxFitStep = int64_t(1) << 16;  // the option's range

// Counts that contradict each other would resume into nonsense (skipped-updates above
// updates makes Adam's bias correction divide by a negative step count).
void check_progress(const TrainProgress& p, const std::string& origin) {
    const bool ok = p.updates >= 0 && p.skipped_updates >= 0 && p.skipped_updates <= p.updates &&
                    p.micro_batches >= p.updates && p.epoch >= 1 && p.batches_in_epoch >= 0 &&
                    p.target_tokens >= 0 && p.stalled >= 0 && p.validations >= 0 &&
                    std::isfinite(p.elapsed_seconds) && p.elapsed_seconds >= 0 && std::isfinite(p.cost_scale) &&
                    p.cost_scale >= 0 && p.cost_scale <= 1e30 && p.cost_scale_finite >= 0 &&
                    (p.fit_sentences.empty() || (p.fit_step >= 1 && p.fit_step <= kMaxFitStep)) &&
                    std::all_of(p.fit_sentences.begin(), p.fit_sentences.end(),
                                [](int64_t v) { return v >= 1 && v <= (int64_t(1) << 24); });
    DEEPNET_USER_CHECK(ok, "the progress record in " << origin << " is inconsistent (updates " << p.updates
                               << ", skipped-updates " << p.skipped_updates << ", micro-batches "
                               << p.micro_batches << ", epoch " << p.epoch << "): the state is damaged; "
                               << "start afresh with --no-reload");
    for (const auto& [metric, value] : p.best) {
        // Metric names are option values such as "bleu" or "ce-mean-words".
        const bool name_ok = !metric.empty() && metric.size() <= 64 &&
                             metric.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos;
        DEEPNET_USER_CHECK(name_ok && std::isfinite(value), "the progress record in " << origin
                               << " has a damaged best-value entry: the state is damaged; start afresh with --no-reload");
    }
}

// Weights and moments that are not finite (or a negative second moment) cannot come from
// a healthy run: refuse them instead of training on from garbage.
void check_buffer(const std::vector<float>& buf, int kind, const std::string& path) {
    for (size_t i = 0; i < buf.size(); ++i) {
        const bool ok = std::isfinite(buf[i]) && (kind != 2 || buf[i] >= 0);
        DEEPNET_USER_CHECK(ok, path << ": the " << kKinds[kind] << " values are damaged (" << buf[i]
                                    << " at element " << i << "); resume from an earlier checkpoint or "
                                    << "start afresh with --no-reload");
    }
}

}  // namespace

std::string train_state_path(const std::string& model_path) { return model_path + ".state.safetensors"; }

std::string progress_to_yaml(const TrainProgress& p) {
    YAML::Emitter e;
    e.SetDoublePrecision(17);
    e << YAML::BeginMap << YAML::Key << "updates" << YAML::Value << p.updates << YAML::Key
      << "micro-batches" << YAML::Value << p.micro_batches << YAML::Key << "epoch" << YAML::Value
      << p.epoch << YAML::Key << "batches-in-epoch" << YAML::Value << p.batches_in_epoch
      << YAML::Key << "target-tokens" << YAML::Value << p.target_tokens << YAML::Key
      << "skipped-updates" << YAML::Value << p.skipped_updates << YAML::Key << "elapsed-seconds"
      << YAML::Value << p.elapsed_seconds << YAML::Key << "stalled" << YAML::Value << p.stalled
      << YAML::Key << "validations" << YAML::Value << p.validations << YAML::Key
      << "data-fingerprint" << YAML::Value << std::to_string(p.data_fingerprint) << YAML::Key
      << "cost-scale" << YAML::Value << p.cost_scale << YAML::Key << "cost-scale-finite-updates" << YAML::Value
      << p.cost_scale_finite;
    if (!p.fit_sentences.empty()) {
        e << YAML::Key << "mini-batch-fit" << YAML::Value << YAML::BeginMap << YAML::Key << "step" << YAML::Value
          << p.fit_step << YAML::Key << "workspace-mb" << YAML::Value << p.fit_workspace_mb << YAML::Key
          << "sentences" << YAML::Value << YAML::Flow << YAML::BeginSeq;
        for (int64_t v : p.fit_sentences) e << v;
        e << YAML::EndSeq << YAML::EndMap;
    }
    e << YAML::Key << "best"
      << YAML::Value << YAML::BeginMap;
    for (const auto& [k, v] : p.best) e << YAML::Key << k << YAML::Value << v;
    e << YAML::EndMap << YAML::EndMap;
    return e.c_str();
}

TrainProgress progress_from_yaml(const std::string& yaml, const std::string& origin) {
    TrainProgress p;
    try {
        const YAML::Node n = YAML::Load(yaml);
        p.updates = n["updates"].as<int64_t>();
        p.micro_batches = n["micro-batches"].as<int64_t>();
        p.epoch = n["epoch"].as<int64_t>();
        p.batches_in_epoch = n["batches-in-epoch"].as<int64_t>();
        p.target_tokens = n["target-tokens"].as<int64_t>();
        p.skipped_updates = n["skipped-updates"].as<int64_t>();
        p.elapsed_seconds = n["elapsed-seconds"].as<double>();
        p.stalled = n["stalled"].as<int64_t>();
        p.validations = n["validations"].as<int64_t>();
        if (n["data-fingerprint"])  // absent in states written before it was recorded
            p.data_fingerprint = parse_fingerprint(n["data-fingerprint"].as<std::string>(), origin);
        if (n["cost-scale"]) {  // absent in states written before cost scaling existed
            p.cost_scale = n["cost-scale"].as<double>();
            p.cost_scale_finite = n["cost-scale-finite-updates"].as<int64_t>();
        }
        for (const auto& kv : n["best"]) p.best[kv.first.as<std::string>()] = kv.second.as<double>();
        if (const YAML::Node fit = n["mini-batch-fit"]) {  // absent without --mini-batch-fit
            p.fit_step = fit["step"].as<int64_t>();
            p.fit_workspace_mb = fit["workspace-mb"].as<int64_t>();
            const YAML::Node rows = fit["sentences"];
            DEEPNET_USER_CHECK(rows.IsSequence() && rows.size() >= 1 && rows.size() <= (size_t(1) << 20),
                               "the progress record in " << origin << " has a damaged mini-batch-fit table; "
                                                                      "start afresh with --no-reload");
            for (const auto& v : rows) p.fit_sentences.push_back(v.as<int64_t>());
        }
    } catch (const YAML::Exception& e) {
        throw UserError("the progress record in " + origin + " is damaged (" + e.msg +
                        "); start afresh with --no-reload");
    }
    check_progress(p, origin);
    return p;
}

void save_train_state(const std::string& path, const ParamLayout& layout, const TrainState& st) {
    std::vector<TensorRecord> records;
    for (int k = 0; k < 4; ++k) {
        const std::vector<float>& buf = buffer(st, k);
        if (buf.empty()) continue;
        DEEPNET_CHECK(int64_t(buf.size()) == layout.total(), "train state buffer " << kKinds[k] << " has the wrong size");
        for (const ParamEntry& e : layout.entries())
            records.push_back(make_f32_record(std::string(kKinds[k]) + "." + e.name, e.shape, buf.data() + e.offset));
    }
    std::map<std::string, std::string> md;
    md["format"] = kFormat;
    md["progress"] = progress_to_yaml(st.progress);
    put_model_metadata(st.meta, md);
    save_safetensors(path, records, md, Checksum::Add);
}

struct StoredTrainState::File {
    SafetensorsFile f;
};

StoredTrainState::StoredTrainState(const std::string& path) : path_(path), file_(new File) {
    file_->f = load_safetensors(path);
    const SafetensorsFile& f = file_->f;
    auto get = [&](const std::string& key) -> const std::string& {
        auto it = f.metadata.find(key);
        DEEPNET_USER_CHECK(it != f.metadata.end(), path << " is not a deepnet training state (no '" << key << "')");
        return it->second;
    };
    DEEPNET_USER_CHECK(get("format") == kFormat, path << " has format '" << get("format") << "', expected " << kFormat);
    if (!f.checksummed)
        log::warn(path + " has no checksum (written by an older deepnet): its integrity cannot be verified");
    state_.progress = progress_from_yaml(get("progress"), path);
    state_.meta = get_model_metadata(f.metadata, path);
}

StoredTrainState::~StoredTrainState() = default;

TrainState StoredTrainState::load_buffers(const ParamLayout& layout) {
    const SafetensorsFile& f = file_->f;
    TrainState st = state_;
    for (int k = 0; k < 4; ++k) {
        std::vector<float>& buf = buffer(st, k);
        const bool present = f.tensors.count(std::string(kKinds[k]) + "." + layout.entries().front().name) > 0;
        if (!present) {
            DEEPNET_USER_CHECK(k == 3, path_ << " lacks the " << kKinds[k] << " tensors");
            buf.clear();
            continue;
        }
        buf.assign(size_t(layout.total()), 0.0f);
        for (const ParamEntry& e : layout.entries()) {
            const std::string name = std::string(kKinds[k]) + "." + e.name;
            auto it = f.tensors.find(name);
            DEEPNET_USER_CHECK(it != f.tensors.end() && it->second.shape == e.shape,
                               path_ << ": tensor " << name << " is missing or has another shape: the model "
                                     << "options changed since this state was saved; use --no-reload to start "
                                     << "afresh or another --model path");
            const std::vector<float> v = as_f32(it->second);
            std::copy(v.begin(), v.end(), buf.begin() + e.offset);
        }
        check_buffer(buf, k, path_);
    }
    file_.reset();  // the raw copy is no longer needed
    return st;
}

}  // namespace deepnet
