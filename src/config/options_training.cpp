// Group "Training": optimisation, schedule, checkpoints, validation and logging of
// `deepnet train` (Marian names and meanings where Marian has the option). One row each.
#include <algorithm>

#include "src/config/option_groups.h"
#include "src/config/resolved_options.h"
#include "src/config/train_config.h"
#include "src/core/error.h"

namespace deepnet {

OptionGroup training_options() {
    return {"Training", {
        string_option("model", "model.safetensors", "Path of the model file; the training state goes "
                      "beside it (<model>.state.safetensors)").alias('m').metavar("FILE"),
        bool_option("no-reload", false, "Start afresh even if a training state exists for --model"),
        string_option("pretrained-model", "", "Fine-tuning: a new run starts from the weights of this deepnet "
                      "model file and trains with its vocabulary (the model options must be the file's; the "
                      "optimizer starts afresh); ignored when the run resumes its own training state")
            .metavar("FILE"),
        int_option("after-epochs", 0, "Stop after this many epochs; 0 = no limit").alias('e').at_least(0),
        int_option("after-batches", 0, "Stop after this many updates; 0 = no limit").at_least(0),
        double_option("learn-rate", 5e-4, "Peak learning rate").alias('l').above(0),
        int_option("lr-warmup", 4000, "Linear warm-up over this many updates; 0 = none").at_least(0),
        int_option("lr-decay-inv-sqrt", 4000, "Decay as sqrt(N / update) after update N; 0 = none")
            .at_least(0),
        double_list_option("optimizer-params", {0.9, 0.98, 1e-8}, "Adam beta1 beta2 epsilon "
                           "[weight decay (AdamW, decoupled)]").metavar("FLOAT ..."),
        double_option("clip-norm", 0, "Clip the global gradient norm to this value; 0 = off").at_least(0),
        string_list_option("precision", {"float32", "float32"}, "Types of the GEMMs in forward/backward "
                           "and of the optimizer: 'bfloat16 float32' rounds the GEMM operands to "
                           "bfloat16 (oneDNN; AMX tiles on Sapphire Rapids; cuBLASLt on a GPU) and keeps "
                           "weights, gradients and Adam in float32; 'float16 float32' rounds them to "
                           "float16 (use with --cost-scaling)").one_of({"float32", "bfloat16", "float16"})
            .metavar("TYPE TYPE"),
        string_list_option("cost-scaling", {}, "Dynamic loss scaling (Marian's): scale [frequency "
                           "[multiplier [minimum]]]: the loss is multiplied by the scale; after "
                           "`frequency` finite updates the scale is multiplied by `multiplier`, and a "
                           "NaN/Inf gradient skips the update and divides it (not below `minimum`); "
                           "empty = off").metavar("FLOAT [INT [FLOAT [FLOAT]]]"),
        int_option("workspace", 2048, "Memory for activations and scratch in MB (Marian's -w), "
                   "besides the weights, gradients and optimizer state: --mini-batch-fit fills it; "
                   "a negative value -N means all the GPU's free memory but N MB").alias('w'),
        bool_option("dump-memory", false, "Print the training memory plan (weights, gradients, "
                    "moments, activations per layer, scratch, the largest batch that fits) and exit; "
                    "needs no data and no GPU").command_line_only(),
        int_list_option("devices", {}, "GPU to train on (Marian's option; one id today, several "
                        "with the multi-GPU trainer); empty = the CPU").alias('d').metavar("ID ..."),
        int_option("optimizer-delay", 1, "Accumulate gradients over this many batches per update")
            .at_least(1),
        double_option("exponential-smoothing", 0, "Keep an exponential moving average of the weights "
                      "with this factor (e.g. 1e-4) for validation and saved models; 0 = off").fraction(),
        int_option("max-skipped-updates", 20, "Stop when this many updates in a row had a NaN/Inf "
                   "loss or gradient (each one is skipped)").at_least(1),
        int_option("disp-freq", 100, "Log a progress line every this many updates").at_least(1),
        int_option("save-freq", 1000, "Save the model and training state every this many updates")
            .at_least(1),
        int_option("keep-checkpoints", 1, "Keep the last N checkpoints: with N > 1 every save also "
                   "keeps <model-stem>.iter<U>.safetensors and its training state (hard links), "
                   "deleting the oldest beyond N").range(1, 1000000),
        int_option("valid-freq", 1000, "Validate every this many updates").at_least(1),
        string_list_option("valid-metrics", {"cross-entropy", "bleu"}, "Validation metrics; the first "
                           "drives early stopping. translation: the score --valid-script-path prints for "
                           "the translations; valid-script: the score it prints alone (Marian's)")
            .one_of(validation_metric_names()),
        int_option("early-stopping", 10, "Stop after this many validations without improvement of the "
                   "first metric; 0 = never").at_least(0),
        int_option("beam-size", 4, "Beam size when translating the validation sets").alias('b').at_least(1),
        double_option("normalize", 0.6, "Length normalisation exponent when translating the validation "
                      "sets").alias('n').at_least(0),
        int_option("valid-mini-batch", 32, "Sentences per batch when translating the validation sets")
            .at_least(1),
        int_option("valid-max-sentences", 0, "Translate at most this many sentences of each validation "
                   "set for BLEU/chrF; 0 = all").at_least(0),
        string_option("valid-translation-output", "", "Write the validation translations to this file "
                      "(per direction: FILE.<src>-<tgt>; with valid-metrics translation, FILE holds them all and "
                      "is what the script gets)").metavar("FILE"),
        string_option("valid-script-path", "", "Validation script (run by the shell, as Marian does): for "
                      "valid-metrics translation it gets the file of the translations as its last argument; "
                      "the first number it prints on stdout is the score, higher is better").metavar("FILE"),
        string_list_option("valid-script-args", {}, "Arguments passed to --valid-script-path before the "
                           "translation file").metavar("ARG"),
        bool_option("keep-best", true, "Save the best model of each validation metric as "
                    "<model-stem>.best-<metric>.safetensors (Marian's default is false)"),
        string_option("valid-log", "", "Also write the validation lines to this file").metavar("FILE"),
        int_option("log-update-norms", 0, "Every N updates (and every update to 10, every 10th to 100) log "
                   "per sublayer the gradient norm, relative update and LayerNorm input size, and the model "
                   "update on a fixed probe batch, to the JSON log (docs/diagnostics.md); 0 = off").at_least(0),
        string_option("log-json", "", "JSON-lines log of progress and validations; empty = "
                      "<model>.train.jsonl, 'none' = off").metavar("FILE"),
    }};
}

// The script metrics need the script; a script no metric runs is probably a mistake.
void check_training_options(const ResolvedOptions& opts, std::vector<std::string>& warnings) {
    const auto& metrics = opts.get<std::vector<std::string>>("valid-metrics");
    const bool scripted = std::any_of(metrics.begin(), metrics.end(),
                                      [](const std::string& m) { return m == "translation" || m == "valid-script"; });
    const bool script = !opts.get<std::string>("valid-script-path").empty();
    DEEPNET_USER_CHECK(!scripted || script,
                       "valid-metrics (" << opts.where("valid-metrics") << ") has translation or valid-script, "
                       "which run --valid-script-path, but no script is given: set valid-script-path to a script "
                       "that prints the score");
    if (script && !scripted)
        warnings.push_back("valid-script-path (" + opts.where("valid-script-path") + ") is not run: add translation "
                           "or valid-script to valid-metrics");
}

}  // namespace deepnet
