// Checkpoint averaging (Marian's scripts/average.py, fairseq's average_checkpoints.py): the
// element-wise mean of the weights of several model files of one architecture and one
// vocabulary, summed in double and rounded to float once.
#pragma once

#include <string>
#include <vector>

namespace deepnet {

// Writes the mean of `inputs` (at least one) atomically to `output`, with the metadata
// (config, vocabulary, languages) of the last input. Throws UserError naming the file when
// one cannot be read, is damaged, or differs from the first in its tensors or vocabulary.
// `output` may be one of the inputs: every input is read before anything is written.
void average_model_files(const std::vector<std::string>& inputs, const std::string& output);

}  // namespace deepnet
