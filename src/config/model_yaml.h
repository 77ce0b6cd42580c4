// Reading the model options back from a stored config (the YAML inside a model file).
// Only the "Model" group is read; keys of other groups are ignored, so model files stay
// loadable when training options are added or removed later.
#pragma once

#include <string>

#include "src/model/model_config.h"

namespace deepnet {

ModelConfig model_config_from_yaml_text(const std::string& yaml, const std::string& origin);

}  // namespace deepnet
