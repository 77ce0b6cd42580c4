// Which kept checkpoints to average (`deepnet average --last N / --best N`): the iteration
// copies "<stem>.iter<U>.safetensors" that `keep-checkpoints N` leaves beside the model,
// chosen by update number or by their validation scores in the run's JSON log.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace deepnet {

// The n newest iteration copies of `model`, oldest first. UserError when fewer exist.
std::vector<std::string> last_checkpoints(const std::string& model, int64_t n);

// The n iteration copies of `model` with the best value of `metric` ("" = the first metric
// the log records, the one that drives early stopping) over all validation data, from the
// JSON-lines log `log_json`; best first, ties to the later update. Validations of updates
// whose copy is gone are skipped; UserError when fewer than n remain, naming what exists.
std::vector<std::string> best_checkpoints(const std::string& model, const std::string& log_json,
                                          const std::string& metric, int64_t n);

}  // namespace deepnet
