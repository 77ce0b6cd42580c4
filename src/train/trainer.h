// `deepnet train`: the training loop. Data -> batches -> forward/backward (gradients
// accumulated over optimizer-delay batches, loss normalised per target token over them)
// -> AdamW update with the warm-up / inverse-sqrt schedule and optional clipping -> EMA ->
// progress log, validation (early stopping, best model per metric) and checkpoints.
// Resume: if <model>.state.safetensors exists (and not --no-reload), every piece of state
// is restored from it and the run continues bitwise as if it had never stopped.
#pragma once

#include <string>

#include "src/config/data_config.h"
#include "src/config/train_config.h"
#include "src/model/model_config.h"

namespace deepnet {

struct TrainerSetup {
    ModelConfig model;
    TrainConfig train;
    DataConfig data;
    std::string config_yaml;  // the resolved options, stored with every checkpoint
};

// Returns the process exit code (src/core/exit_codes.h): kExitFinished, kExitDiverged
// (the last good checkpoint is kept) or kExitStoppedBySignal after saving.
int run_training(const TrainerSetup& setup);

}  // namespace deepnet
