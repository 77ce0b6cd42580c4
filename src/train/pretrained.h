// Marian's --pretrained-model (fine-tuning): a fresh run starts from a model file's weights
// and vocabulary; the optimizer and the schedule start afresh.
#pragma once

#include <string>
#include <vector>

#include "src/config/data_config.h"
#include "src/io/model_file.h"

namespace deepnet {

struct PretrainedStart {
    ModelConfig config;
    ModelMetadata meta;          // its vocabulary (the run trains with it) and languages
    std::vector<float> weights;  // in the layout of declare_model(config)
};

// Loads `path` and checks it against the run: the model options (model_match.h), and the
// language tags the training data need (each must be a piece of its vocabulary). Warns
// when the data have no tags but the model was trained with them, and when --vocabs names
// another vocabulary (it is not used). UserError otherwise, naming the file.
PretrainedStart load_pretrained(const std::string& path, const ModelConfig& run, const DataConfig& data);

}  // namespace deepnet
