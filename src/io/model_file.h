// The model file: one safetensors file holding the weights (fairseq names,
// docs/model-format.md) and, in its metadata, everything `deepnet translate -m model`
// needs: the resolved config (YAML), the SentencePiece model and the language list.
//   metadata keys: format ("deepnet-model/1"), deepnet_version, config (YAML of the train
//   options), vocab (SentencePiece model proto, base64), languages (comma-separated, empty
//   for bilingual models), target_languages
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "src/model/model_config.h"
#include "src/model/transformer.h"

namespace deepnet {

struct ModelMetadata {
    std::string config_yaml;            // resolved train options, as --dump-config prints
    std::string vocab_proto;            // serialized SentencePiece ModelProto (raw bytes)
    std::vector<std::string> languages;         // all languages of the training data
    std::vector<std::string> target_languages;  // languages with a <2xx> tag ("" = no tags)
};

// ModelMetadata as safetensors metadata entries (config, vocab, languages,
// target_languages) and back; the training state file stores the same entries.
void put_model_metadata(const ModelMetadata& meta, std::map<std::string, std::string>& md);
// Throws UserError naming `path` when an entry is missing.
ModelMetadata get_model_metadata(const std::map<std::string, std::string>& md, const std::string& path);

// Writes the parameters `values` (the model's layout; e.g. its weights or their EMA)
// atomically to path.
void save_model_file(const std::string& path, const ModelSpec& spec, const float* values,
                     const ModelMetadata& meta);

struct LoadedModel {
    ModelConfig config;
    ModelMetadata meta;
    std::unique_ptr<Transformer<float>> model;  // weights loaded
};

// Reads a model file; clear UserError when it is missing, not a deepnet model, or its
// tensors do not match the config stored with it.
LoadedModel load_model_file(const std::string& path);

}  // namespace deepnet
