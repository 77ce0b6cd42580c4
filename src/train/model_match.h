// Whether a saved model (a resumed run's, or --pretrained-model's) computes with the options
// of this run: the options that decide the parameter shapes and the function of the
// weights. A mismatch is a UserError that lists the saved model's options.
#pragma once

#include <string>

#include "src/model/model_config.h"

namespace deepnet {

// The saved model's depths, widths, norm, activation, tied embeddings, DeepNorm alphas
// and LayerNorm epsilon, as command-line options (the alphas only when they were given,
// the epsilon only when it is not the default).
std::string model_options_of(const ModelConfig& saved);

// UserError unless `saved` and `run` agree on what model_options_of lists. `whose`: "the
// run saved in PATH" or "the pretrained model PATH"; `remedy` ends the message.
void check_same_model(const ModelConfig& saved, const ModelConfig& run, const std::string& whose,
                      const std::string& remedy);

}  // namespace deepnet
