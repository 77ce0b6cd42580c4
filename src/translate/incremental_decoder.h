// Incremental inference with a trained Transformer: the encoder runs once per batch of
// sentences; the decoder then runs ONE target position per step for a batch of hypotheses.
//   start(sources):  enc = Encoder(Embed(src + </s>))            (no dropout)
//                    per decoder layer l: Kx_l = enc Wk^T + bk, Vx_l = enc Wv^T + bv  (B*S, C)
//   step(tokens):    x = Embed(tokens, position t); per layer l the same residual sublayers
//                    as decoder_layer_forward (scheme and alpha from the model config), with
//                    self-attention over the cached keys/values of positions 0..t (this
//                    step's are appended first) and cross-attention over Kx_l, Vx_l of each
//                    hypothesis' sentence; logp = log_softmax(LN?(x) E_out^T)   (N, V)
//   reorder(parent): beam reorder / compaction of the self-attention caches: hypothesis i
//                    of the next step continues hypothesis parent[i] of the last step.
// Caches are time-major: (t, N, C) per layer for K and V, so a step appends one (N, C) block.
// The encoder pass is the model's own (Transformer::encode); each step runs the training
// code's decoder_layer_forward with the layer's key/value caches (src/layers/attention.h),
// so decoding and training share every layer. On a GPU the index arrays of each step (tokens,
// positions, cache rows, beam parents) go up in one copy and the log-probabilities stay there.
// T = float in the product, double in tests.
#pragma once

#include <cstdint>
#include <vector>

#include "src/layers/decoder_layer.h"
#include "src/layers/embedding.h"
#include "src/model/transformer.h"

namespace deepnet {

template <typename T>
class IncrementalDecoder {
public:
    // The model must outlive the decoder; its parameters are read, never written.
    explicit IncrementalDecoder(const Transformer<T>& model);

    // Encodes `sources` (token ids without </s>, which is added here) and resets the
    // decoder to position 0 with no hypotheses.
    void start(const std::vector<std::vector<int64_t>>& sources);

    // One target position for N = tokens.size() hypotheses: tokens[n] is the previous output
    // of hypothesis n (<s> at position 0), sentence[n] the index (into the start() sources)
    // it translates. N must equal hypotheses() after the first step. Returns the
    // log-probabilities (N, V), or with normalize = false the logits (beam search normalises
    // them inside its top-k: ops::log_softmax_top_k_rows), valid until the next call, on the
    // model's device.
    const T* step(const std::vector<int64_t>& tokens, const std::vector<int64_t>& sentence, bool normalize = true);

    // Keeps hypothesis parent[i] of the last step as hypothesis i (parents may repeat or be
    // dropped: finished hypotheses leave the beam).
    void reorder(const std::vector<int64_t>& parent);

    int64_t position() const { return t_; }          // steps taken since start()
    int64_t hypotheses() const { return n_; }
    int64_t sentences() const { return B_; }
    int64_t source_length(int64_t b) const { return src_len_[size_t(b)]; }  // with </s>
    int64_t vocab_size() const { return cfg_.vocab_size; }
    const ModelConfig& config() const { return cfg_; }
    const Context& context() const { return model_.context(); }

private:
    void set_cache_rows(int64_t N, const int64_t* self_block, const int64_t* self_len, const int64_t* cross_block,
                        const int64_t* cross_len);

    const Transformer<T>& model_;
    const ModelConfig& cfg_;
    const ModelSpec& spec_;
    SublayerCfg dec_cfg_;
    PositionTable<T> positions_;
    EncoderWorkspace<T> enc_;
    const T* enc_out_ = nullptr;  // (B*S, C), in enc_

    int64_t B_ = 0, S_ = 0, t_ = 0, n_ = 0;
    std::vector<int64_t> src_len_;
    std::vector<DecoderLayerCache<T>> caches_;  // per decoder layer

    // Scratch, reused across steps.
    DecoderLayerSaved<T> saved_;  // shared by the layers: nothing is kept for backward
    Buf<T> x_, y_, top_, ln_mean_, ln_rstd_, logp_, gather_;
    std::vector<int64_t> pos_, self_block_, self_len_, cross_block_, cross_len_;
    IndexUpload step_indices_, parent_indices_;  // the index arrays on the model's device
};

}  // namespace deepnet
