// A padded batch of sentence pairs as the model consumes it.
//   source:     tokens + </s>                       src: (B, S), padded with <pad>
//   target in:  <s> + tokens                        tgt_in: (B, T)
//   target out: tokens + </s>                       tgt_out: (B, T), -1 on padding
#pragma once

#include <cstdint>
#include <vector>

#include "src/model/model_config.h"

namespace deepnet {

struct Batch {
    int64_t B = 0, S = 0, T = 0;
    std::vector<int64_t> src, src_pos, src_len;
    std::vector<int64_t> tgt_in, tgt_out, tgt_pos, tgt_len;
    int64_t target_tokens = 0;  // non-padding entries of tgt_out
};

// Builds a batch from token ids (without </s> or <s>; they are added here).
Batch make_batch(const std::vector<std::vector<int64_t>>& sources,
                 const std::vector<std::vector<int64_t>>& targets, const ModelConfig& cfg);

}  // namespace deepnet
