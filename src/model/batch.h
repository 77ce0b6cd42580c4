// A padded batch of sentence pairs as the model consumes it.
//   source:     tokens + </s>                       src: (B, S), padded with <pad>
//   target in:  <s> + tokens                        tgt_in: (B, T)
//   target out: tokens + </s>                       tgt_out: (B, T), -1 on padding
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "src/core/device_buffer.h"
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

// The index arrays of a batch where the model's ops read them.
struct BatchIndices {
    const int64_t *src = nullptr, *src_pos = nullptr, *src_len = nullptr;
    const int64_t *tgt_in = nullptr, *tgt_out = nullptr, *tgt_pos = nullptr, *tgt_len = nullptr;
};

// Index arrays (a batch's, and decoding's tokens, positions, cache rows and beam parents)
// where the ops read them: on the CPU the host vectors themselves; on a GPU one copy of all of them into a
// device buffer reused across calls. The caller has checked the values (the kernels do not).
class IndexUpload {
public:
    template <size_t K>
    std::array<const int64_t*, K> place(const Device& device, const std::array<const std::vector<int64_t>*, K>& parts) {
        std::array<const int64_t*, K> out{};
        if (device.kind == DeviceKind::CPU) {
            for (size_t i = 0; i < K; ++i) out[i] = parts[i]->data();
            return out;
        }
        staging_.clear();
        for (const auto* v : parts) staging_.insert(staging_.end(), v->begin(), v->end());
        int64_t* d = device_.ensure(device, int64_t(staging_.size()));
        device_copy(device, d, Device{}, staging_.data(), staging_.size() * sizeof(int64_t));
        for (size_t i = 0; i < K; ++i) {
            out[i] = d;
            d += parts[i]->size();
        }
        return out;
    }

private:
    std::vector<int64_t> staging_;
    DeviceBuffer<int64_t> device_;
};

// On the CPU, the Batch's own vectors. On a GPU, one upload of all seven arrays (IndexUpload),
// after checking on the host every id the kernels will index memory with (tokens in
// [0, vocab), targets also -1, positions below the padded length), since the device kernels
// do not check them.
class BatchUpload {
public:
    BatchIndices place(const Device& device, const Batch& b, int64_t vocab);

private:
    IndexUpload upload_;
};

}  // namespace deepnet
