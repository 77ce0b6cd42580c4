// Group "Training": optimisation, schedule, checkpoints, validation and logging of
// `deepnet train` (Marian names and meanings where Marian has the option). One row each.
#include "src/config/option_groups.h"
#include "src/config/resolved_options.h"

namespace deepnet {

OptionGroup training_options() {
    return {"Training", {
        string_option("model", "model.safetensors", "Path of the model file; the training state goes "
                      "beside it (<model>.state.safetensors)").alias('m').metavar("FILE"),
        bool_option("no-reload", false, "Start afresh even if a training state exists for --model"),
        int_option("after-epochs", 0, "Stop after this many epochs; 0 = no limit").at_least(0),
        int_option("after-batches", 0, "Stop after this many updates; 0 = no limit").at_least(0),
        double_option("learn-rate", 5e-4, "Peak learning rate").above(0),
        int_option("lr-warmup", 4000, "Linear warm-up over this many updates; 0 = none").at_least(0),
        int_option("lr-decay-inv-sqrt", 4000, "Decay as sqrt(N / update) after update N; 0 = none")
            .at_least(0),
        double_list_option("optimizer-params", {0.9, 0.98, 1e-8}, "Adam beta1 beta2 epsilon "
                           "[weight decay (AdamW, decoupled)]").metavar("FLOAT ..."),
        double_option("clip-norm", 0, "Clip the global gradient norm to this value; 0 = off").at_least(0),
        string_list_option("precision", {"float32", "float32"}, "Types of the GEMMs in forward/backward "
                           "and of the optimizer: 'bfloat16 float32' rounds the GEMM operands to "
                           "bfloat16 (oneDNN; AMX tiles on Sapphire Rapids) and keeps weights, "
                           "gradients and Adam in float32").one_of({"float32", "bfloat16"})
            .metavar("TYPE TYPE"),
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
                           "drives early stopping").one_of({"cross-entropy", "perplexity", "bleu", "chrf"}),
        int_option("early-stopping", 10, "Stop after this many validations without improvement of the "
                   "first metric; 0 = never").at_least(0),
        int_option("beam-size", 4, "Beam size when translating the validation sets").alias('b').at_least(1),
        double_option("normalize", 0.6, "Length normalisation exponent when translating the validation "
                      "sets").at_least(0),
        int_option("valid-mini-batch", 32, "Sentences per batch when translating the validation sets")
            .at_least(1),
        int_option("valid-max-sentences", 0, "Translate at most this many sentences of each validation "
                   "set for BLEU/chrF; 0 = all").at_least(0),
        string_option("valid-translation-output", "", "Write the validation translations to this file "
                      "(per direction: FILE.<src>-<tgt>)").metavar("FILE"),
        string_option("log-json", "", "JSON-lines log of progress and validations; empty = "
                      "<model>.train.jsonl, 'none' = off").metavar("FILE"),
    }};
}

}  // namespace deepnet
