// Model file save/load (see model_file.h).
#include "src/io/model_file.h"

#include <cmath>
#include <sstream>

#include "src/config/model_yaml.h"
#include "src/core/base64.h"
#include "src/core/error.h"
#include "src/model/model_limits.h"
#include "src/io/safetensors.h"

namespace deepnet {
namespace {

constexpr const char* kFormat = "deepnet-model/1";

std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
    return s;
}

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ','))
        if (!item.empty()) out.push_back(item);
    return out;
}

const std::string& meta_value(const std::map<std::string, std::string>& md, const std::string& key,
                              const std::string& path) {
    auto it = md.find(key);
    DEEPNET_USER_CHECK(it != md.end(), path << " has no '" << key
                                            << "' entry in its metadata: not a file written by deepnet");
    return it->second;
}

}  // namespace

void put_model_metadata(const ModelMetadata& meta, std::map<std::string, std::string>& md) {
    md["config"] = meta.config_yaml;
    md["vocab"] = base64_encode(meta.vocab_proto);
    md["languages"] = join(meta.languages);
    md["target_languages"] = join(meta.target_languages);
}

ModelMetadata get_model_metadata(const std::map<std::string, std::string>& md, const std::string& path) {
    ModelMetadata meta;
    meta.config_yaml = meta_value(md, "config", path);
    meta.vocab_proto = base64_decode(meta_value(md, "vocab", path));
    meta.languages = split(meta_value(md, "languages", path));
    meta.target_languages = split(meta_value(md, "target_languages", path));
    return meta;
}

void save_model_file(const std::string& path, const ModelSpec& spec, const float* values,
                     const ModelMetadata& meta) {
    std::vector<TensorRecord> records;
    records.reserve(spec.layout.entries().size());
    for (const ParamEntry& e : spec.layout.entries())
        records.push_back(make_f32_record(e.name, e.shape, values + e.offset));
    std::map<std::string, std::string> md;
    md["format"] = kFormat;
    md["deepnet_version"] = DEEPNET_VERSION;
    put_model_metadata(meta, md);
    save_safetensors(path, records, md, Checksum::Add);
}

namespace {

// Every tensor the config declares is in the file with its shape, and nothing else is:
// checked before the model is allocated, so the allocation is the size of the file.
void check_tensors_match(const SafetensorsFile& f, const ModelSpec& spec, const std::string& path) {
    for (const ParamEntry& e : spec.layout.entries()) {
        auto it = f.tensors.find(e.name);
        DEEPNET_USER_CHECK(it != f.tensors.end(), path << " lacks tensor " << e.name
                                                       << " that its stored config requires");
        DEEPNET_USER_CHECK(it->second.shape == e.shape,
                           path << ": tensor " << e.name << " has the wrong shape for its config");
    }
    DEEPNET_USER_CHECK(f.tensors.size() == spec.layout.entries().size(),
                       path << " holds " << f.tensors.size() << " tensors but its config declares "
                            << spec.layout.entries().size());
}

void copy_finite(const TensorRecord& t, float* out, const std::string& path) {
    const std::vector<float> v = as_f32(t);
    for (size_t i = 0; i < v.size(); ++i)
        DEEPNET_USER_CHECK(std::isfinite(v[i]), path << ": tensor " << t.name << " holds NaN or Inf (element "
                                                     << i << "): the model is damaged or its training "
                                                     << "diverged; use an earlier checkpoint");
    std::copy(v.begin(), v.end(), out);
}

}  // namespace

LoadedModel load_model_file(const std::string& path) {
    const SafetensorsFile f = load_safetensors(path);
    const std::string& format = meta_value(f.metadata, "format", path);
    DEEPNET_USER_CHECK(format == kFormat, path << " is a '" << format << "' file; this deepnet reads "
                                               << kFormat);
    LoadedModel out;
    out.meta = get_model_metadata(f.metadata, path);
    out.config = model_config_from_yaml_text(out.meta.config_yaml, path);
    auto emb = f.tensors.find("encoder.embed_tokens.weight");
    DEEPNET_USER_CHECK(emb != f.tensors.end() && emb->second.shape.size() == 2,
                       path << " has no 2-D tensor encoder.embed_tokens.weight");
    out.config.vocab_size = emb->second.shape[0];
    out.config.recompute = false;
    check_model_config(out.config, path);
    check_tensors_match(f, declare_model(out.config), path);
    out.model = std::make_unique<Transformer<float>>(out.config, ModelUse::Inference);
    Transformer<float>& m = *out.model;
    for (const ParamEntry& e : m.spec().layout.entries())
        copy_finite(f.tensors.at(e.name), m.params().v(e.offset), path);
    return out;
}

}  // namespace deepnet
