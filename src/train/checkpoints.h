// Where training writes, checked before the first update, and what is kept on disk:
// the paths of the model, its best-per-metric copies and iteration copies; the pre-flight
// check of every output path (directories created, writability probed, stale temporary
// files of a killed run removed); free-space and finiteness checks before a save; and the
// rotation of the last N checkpoints.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "src/config/train_config.h"
#include "src/core/param_store.h"

namespace deepnet {

// "model.safetensors" -> "model.best-bleu.safetensors"
std::string best_model_path(const std::string& model, const std::string& metric);
// "model.safetensors" -> "model.iter1000.safetensors"
std::string iter_model_path(const std::string& model, int64_t update);

// Every file the run will write (model, state, best models, JSON log, validation output,
// the vocabulary when it is new): the directory is created, a probe file is written and
// removed, and temporary files left by a killed run are deleted. UserError naming the path
// and the reason (permission, not a directory, read-only) before any work is done.
void prepare_output_paths(const TrainConfig& cfg, const std::string& vocab_path);

// UserError when the file system of `path` has less than `bytes` free.
void check_free_space(const std::string& path, int64_t bytes, const std::string& what);

// Index of the first NaN/Inf in v, or -1.
int64_t first_non_finite(const float* v, size_t n);
// The same for a buffer on any device (copied to the host when it is not there: the checks
// run at display, validation and save, not every update).
int64_t first_non_finite(const FlatView<float>& v);

// With keep > 1: links the model and state just saved as the iteration copies of `update`
// and deletes the oldest iteration copies beyond `keep` (and any numbered above `update`,
// left by a run this one abandoned when it resumed from an older copy).
void keep_last_checkpoints(const std::string& model, int64_t update, int64_t keep);

// Update numbers U of the iteration copies "<stem>.iter<U>.safetensors" beside `model`, ascending.
std::vector<int64_t> kept_iterations(const std::string& model);

// Iteration copies of `model` that have a training state, newest first.
std::vector<std::string> iteration_states(const std::string& model);

}  // namespace deepnet
