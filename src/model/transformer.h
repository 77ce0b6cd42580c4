// The encoder-decoder Transformer with explicit forward and backward (no autograd).
//   enc = Encoder(Embed(src));  dec = Decoder(Embed(tgt_in), enc);  logits = dec E_out^T
//   loss = label-smoothed cross-entropy over the target tokens
// Pre-LN and Sub-LN stacks end with a LayerNorm (encoder.layer_norm, decoder.layer_norm).
// Activation memory: every layer keeps its input (B*L, C); with recompute that is all it
// keeps, and backward re-runs each layer's forward (same dropout masks) before its backward.
// T = float for training, double for gradient checks.
#pragma once

#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "src/layers/decoder_layer.h"
#include "src/layers/embedding.h"
#include "src/layers/encoder_layer.h"
#include "src/model/batch.h"
#include "src/model/layer_norm_probe.h"
#include "src/model/model_config.h"
#include "src/core/context.h"
#include "src/core/param_store.h"

namespace deepnet {

struct LossStats {
    double loss = 0;  // summed label-smoothed loss
    double nll = 0;   // summed negative log-likelihood (no smoothing)
    int64_t tokens = 0;
};

// Parameter layout of a model config: the names and shapes, no values.
struct ModelSpec {
    ParamLayout layout;
    EmbeddingSpec src_embed, tgt_embed;
    int64_t out_proj = -1;  // (V, C) offset; may equal an embedding table (tied)
    std::vector<EncoderLayerSpec> enc;
    std::vector<DecoderLayerSpec> dec;
    NormSpec enc_final_ln, dec_final_ln;  // pre / subln only (gamma = -1 otherwise)
    // [begin, end) of each layer's parameters in the flat buffers (each layer is contiguous).
    std::vector<std::pair<int64_t, int64_t>> enc_ranges, dec_ranges;
};

// Called during backward with the [begin, end) parameter range of a layer whose gradient
// is complete for this batch (decoder layers top down, then encoder layers top down).
using GradReadyHook = std::function<void(int64_t begin, int64_t end)>;
ModelSpec declare_model(const ModelConfig& cfg);

// What every residual sublayer of one stack needs from the config: norm scheme, DeepNorm
// alpha of that stack, dropouts, eps, activation, heads. Training and inference share it.
SublayerCfg sublayer_config(const ModelConfig& cfg, bool decoder);

// Inference allocates no gradients (half the memory of a model file's weights).
enum class ModelUse { Training, Inference };

// Caller-owned buffers of an inference encoder pass, so that one const model serves many
// decoding threads (translate: one decoder per thread).
template <typename T>
struct EncoderWorkspace {
    EncoderLayerSaved<T> saved;  // shared by the layers: nothing is kept for backward
    PositionTable<T> positions;
    Buf<T> a, b, out, ln_mean, ln_rstd;
    BatchUpload upload;  // the sources' index arrays on the model's device
};

// The closing LayerNorm of a pre / subln stack into out, or top itself when there is none.
template <typename T>
const T* final_norm_forward(const Context& ctx, const Params<T>& p, const NormSpec& ln, double eps,
                            Buf<T>& out, Buf<T>& mean, Buf<T>& rstd, const T* top, int64_t N);

template <typename T>
class Transformer {
public:
    // ctx: the device every buffer lives on and every op runs on, and the precision policy.
    explicit Transformer(const ModelConfig& cfg, ModelUse use = ModelUse::Training, const Context& ctx = {});

    const ModelConfig& config() const { return cfg_; }
    const ModelSpec& spec() const { return spec_; }
    Params<T>& params() { return params_; }
    const Params<T>& params() const { return params_; }
    // Precision policy of every op the model runs (set before the first pass); the device
    // is fixed at construction.
    Context& context() { return ctx_; }
    const Context& context() const { return ctx_; }

    // Fresh initialisation from cfg.seed (src/model/deepnorm.cpp holds the rules).
    void init_parameters();

    // Runs the model and keeps what backward needs. Dropout only when rng.training.
    LossStats forward(const Batch& batch, const StepRng& rng);
    // Accumulates (+=) d(grad_scale * loss_sum)/d(params) into params().grad. The optional
    // hook hears of each layer as soon as its gradient is done (data parallelism starts
    // reducing that bucket while the layers below still compute).
    void backward(const Batch& batch, const StepRng& rng, double grad_scale,
                  const GradReadyHook& on_layer_done = nullptr);

    // Logits (B*T, V) of the last forward (before backward overwrites them).
    const T* logits() const { return logits_; }
    // The decoder's top output (B*T, C) of the last forward: what the output projection reads.
    const T* decoder_output() const { return dec_out_; }
    // While set, each forward records the size of every LayerNorm's input there (one read
    // back of 2 numbers per token and sublayer); nullptr = off.
    void record_layer_norm_inputs(LayerNormInputs* out) { ln_inputs_ = out; }

    // Frees every activation, scratch and position buffer (the weights and gradients stay):
    // --mini-batch-fit measures each trial batch from nothing, then leaves no trial's sizes behind.
    void release_activations();

    // The encoder output (B*S, C) of a batch's sources, without dropout, in ws, on the
    // model's device.
    const T* encode(const Batch& b, EncoderWorkspace<T>& ws) const;

private:
    static constexpr int kEncoder = 0, kDecoder = 1;  // index of a stack's buffers
    template <typename Layer>
    const T* forward_stack(int stack, const StepRng& rng, const int64_t* tokens,
                           const int64_t* positions, int64_t B, int64_t L, Layer&& layer);
    template <typename Layer>
    void backward_stack(int stack, const StepRng& rng, const int64_t* tokens, T* d_top, int64_t N,
                        const GradReadyHook& hook, Layer&& layer);
    T* recompute_buffer(int64_t n) { return ensure(ctx_, recompute_out_, n); }

    ModelConfig cfg_;
    ModelSpec spec_;
    SublayerCfg enc_cfg_, dec_cfg_;
    Context ctx_;
    Params<T> params_;
    PositionTable<T> positions_;
    std::vector<Buf<T>> xs_[2];      // per stack (0 encoder, 1 decoder): layer inputs; [L] the top
    Buf<T> ln_mean_[2], ln_rstd_[2], ln_out_[2];  // per stack: the closing LayerNorm
    std::vector<EncoderLayerSaved<T>> enc_saved_;  // one per layer, or one with recompute
    std::vector<DecoderLayerSaved<T>> dec_saved_;
    LayerScratch<T> scratch_;
    LayerNormInputs* ln_inputs_ = nullptr;  // diagnostics, see record_layer_norm_inputs
    const T* enc_out_ = nullptr;  // (B*S, C) of the last forward
    const T* dec_out_ = nullptr;  // (B*T, C)
    T* logits_ = nullptr;
    Buf<T> logits_buf_, loss_rows_, nll_rows_, lse_;
    Buf<T> grad_a_, grad_b_, d_enc_, recompute_out_;
    BatchUpload batch_upload_;  // the batch's index arrays on the device
};

}  // namespace deepnet
