// `--log-update-norms N`: the paper's quantities, measured in a real run (DeepNet, Wang et
// al. 2022, Sections 3-4). On the updates it is due (every update up to 10, every 10th up
// to 100, then every N-th), one JSON record per update with
//   - per parameter group (a sublayer of a layer: encoder.3.self_attn, decoder.0.ffn, ...;
//     or a table: encoder.embed_tokens ...): the gradient norm of the mean per-token loss and
//     the relative update ||W_t - W_{t-1}|| / ||W_{t-1}||;
//   - per layer and sublayer: the root mean square of each LayerNorm's input on a fixed probe
//     batch (layer_norm_probe.h);
//   - the model update ||F(x, theta_t) - F(x, theta_0)|| on the probe batch: F is the decoder's
//     top output (what the output projection reads), the L2 norm is per target token and
//     averaged over the probe's real tokens; theta_0 is the initialisation, rebuilt from the
//     seed (so a resumed run measures against the same start).
// Cost on a due update: one host copy of the weights, one forward of the probe batch (16
// sentences) and, once per process, the initial model's forward on the CPU. Off: nothing.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "src/data/corpus.h"
#include "src/model/transformer.h"

namespace deepnet {

struct ParamGroup {
    std::string name;                                   // "encoder.3.self_attn", "decoder.embed_tokens"
    std::vector<std::pair<int64_t, int64_t>> ranges;    // [offset, offset + size) in the flat buffer
};

// Groups the model's tensors by sublayer (fairseq names, docs/model-format.md): a layer's
// self_attn* tensors, its encoder_attn* tensors and its fc1/fc2/ffn_layernorm/final_layer_norm
// (ffn); any other tensor is its own group, named without ".weight"/".bias".
std::vector<ParamGroup> parameter_groups(const ParamLayout& layout);

// Whether an update is measured: every update to 10, every 10th to 100, then every `every`-th.
bool update_norms_due(int64_t update, int64_t every);

// The probe batch: the first 16 pairs of `data` (the validation data when there is some).
Batch probe_batch(const ParallelData& data, const ModelConfig& cfg);

class UpdateDiagnostics {
public:
    // every: N of --log-update-norms (> 0). probe: the fixed batch (built by the caller from
    // the first sentences of the validation data, else of the training data).
    UpdateDiagnostics(int64_t every, Batch probe) : every_(every), probe_(std::move(probe)) {}

    bool due(int64_t update) const { return update_norms_due(update, every_); }
    // Before the optimizer step of a due update: keeps the weights and the gradient norms
    // (grad_scale: what the step multiplies the summed gradient by).
    void before_step(const Params<float>& params, const ParamLayout& layout, double grad_scale);
    // After that step: the record (one JSON object, no newline) for the log.
    std::string after_step(int64_t update, Transformer<float>& model);

private:
    const std::vector<float>& initial_output(const ModelConfig& cfg);

    int64_t every_;
    Batch probe_;
    std::vector<ParamGroup> groups_;
    std::vector<float> before_;
    std::vector<double> grad_norms_;
    std::vector<float> initial_output_;  // F(x, theta_0), computed on first use
};

}  // namespace deepnet
