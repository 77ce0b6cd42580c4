// Marian's training program (`marian`): its "Training options" and "Validation set
// options" (config_parser.cpp: addOptionsTraining with the devices and batching
// sub-options, addOptionsValidation) and what deepnet train does with each.
#include "src/config/marian_rows.h"

namespace deepnet::marian {
namespace {

using A = MarianArity;

std::vector<MarianOption> training_rows() {
    return {
        mapped("cost-type", 0, A::One, map_cost_type,
               "ce-mean-words only (deepnet's loss is the mean cross-entropy per target token); ce-sum, "
               "ce-mean and perplexity are refused"),
        ignored("multi-loss-type", A::One, "sum", "deepnet trains one loss"),
        refused_flag("unlikelihood-loss", "unlikelihood training is not supported"),
        mapped("overwrite", 0, A::Flag, map_overwrite,
               "keep-checkpoints 1: no <model>.iter<U> copies. Without it Marian keeps a copy at every save; "
               "deepnet keeps the last --keep-checkpoints (default 1)"),
        same("no-reload"),
        same("train-sets", 't'),
        same("vocabs", 'v', "one joint SentencePiece model, given once or twice"),
        refused("sentencepiece-alphas", A::List, "", "subword sampling is not supported"),
        refused("sentencepiece-options", A::One, "", "not supported: deepnet sets SentencePiece's options"),
        same("sentencepiece-max-lines"),
        same("after-epochs", 'e'),
        same("after-batches"),
        mapped("after", 'a', A::One, map_after,
               "Nu (updates) = after-batches, Ne = after-epochs, both with K/M/G; Nt (target labels) is refused"),
        adapted("disp-freq", 0, adapt_updates, "in updates ('u' accepted; 't' refused)"),
        ignored("disp-first", A::One, "0", "the first updates are displayed at --disp-freq like the others"),
        ignored("disp-label-counts", A::Flag, "true", "progress lines show target tokens per second"),
        adapted("save-freq", 0, adapt_updates, "in updates ('u' accepted; 't' refused)"),
        ignored("logical-epoch", A::List, "1e 0", "epochs are data epochs"),
        same("max-length"),
        refused_flag("max-length-crop", "longer training pairs are skipped, not cropped: raise --max-length"),
        refused_flag("tsv", "give source and target files with --train-sets"),
        refused("tsv-fields", A::One, "0", "give source and target files with --train-sets"),
        same("shuffle"),
        mapped("no-shuffle", 0, A::Flag, map_no_shuffle, "shuffle none"),
        ignored_flag("no-restore-corpus", "deepnet always resumes the corpus where it stopped (exact resume)"),
        ignored("tempdir", A::One, "/tmp", "no temporary files: the corpus is shuffled in memory", 'T'),
        ignored("sqlite", A::List, "", "the corpus is kept in memory, never in a database"),
        ignored_flag("sqlite-drop", "the corpus is kept in memory, never in a database"),
        same("devices", 'd', "GPU ids: one per process; several ranks train under mpirun (docs/distributed.md)"),
        ignored("num-devices", A::One, "0", "the GPUs are those of --devices"),
        mapped("no-nccl", 0, A::Flag, map_no_nccl, "distributed-backend mpi: GPU ranks reduce through host memory"),
        ignored("sharding", A::One, "global", "deepnet shards the Adam moments with --optimizer-sharding"),
        ignored("sync-freq", A::One, "200u", "Marian's local sharding only"),
        same("cpu-threads", 0, "threads of a CPU run, 0 = all cores (Marian: 0 = train on the GPU)"),
        same("mini-batch", 0, "a cap on sentences per batch; 0 = none"),
        same("mini-batch-words"),
        same("mini-batch-fit", 0, "the plan predicts the largest batch per length and measurements on the "
                                  "device at the longest length check it; --mini-batch-words is then ignored, "
                                  "--mini-batch still caps the sentences"),
        same("mini-batch-fit-step"),
        mapped("gradient-checkpointing", 0, A::Flag, map_gradient_checkpointing, "recompute"),
        same("maxi-batch"),
        refused("maxi-batch-sort", A::One, "trg", "pools are sorted by target length (trg)"),
        ignored_flag("shuffle-in-ram", "the corpus is always shuffled in memory"),
        refused("all-caps-every", A::One, "0", "case augmentation is not supported"),
        refused("english-title-case-every", A::One, "0", "case augmentation is not supported"),
        refused("mini-batch-words-ref", A::One, "0", "not supported: set learn-rate for your batch size"),
        refused("mini-batch-warmup", A::One, "0", "batch-size warm-up is not supported"),
        refused_flag("mini-batch-track-lr", "not supported"),
        ignored("mini-batch-round-up", A::Flag, "true", "batch sizes are not rounded"),
        refused("optimizer", A::One, "adam", "Adam only (AdamW with a fourth --optimizer-params value)"),
        same("optimizer-params", 0, "beta1 beta2 epsilon [weight decay]"),
        same("optimizer-delay", 0, "whole numbers of batches"),
        ignored_flag("sync-sgd", "training is always synchronous"),
        same("learn-rate", 'l'),
        ignored_flag("lr-report", "the progress line always shows the learning rate"),
        refused("lr-decay", A::One, "0", "not supported: use --lr-decay-inv-sqrt"),
        ignored("lr-decay-strategy", A::One, "epoch+stalled", "only with --lr-decay"),
        ignored("lr-decay-start", A::List, "10 1", "only with --lr-decay"),
        ignored("lr-decay-freq", A::One, "50000", "only with --lr-decay"),
        refused_flag("lr-decay-reset-optimizer", "not supported"),
        refused_flag("lr-decay-repeat-warmup", "not supported"),
        adapted("lr-decay-inv-sqrt", 0, adapt_lr_decay_inv_sqrt,
                "in updates ('u' accepted); a second value (the start) must equal the first"),
        adapted("lr-warmup", 0, adapt_updates, "in updates ('u' accepted; 't' refused)"),
        refused("lr-warmup-start-rate", A::One, "0", "the warm-up starts at 0"),
        refused_flag("lr-warmup-cycle", "not supported"),
        refused_flag("lr-warmup-at-reload", "not supported: a resumed run continues its schedule"),
        same("label-smoothing"),
        ignored("factor-weight", A::One, "1", "factored vocabularies only"),
        same("clip-norm"),
        adapted("exponential-smoothing", 0, adapt_exponential_smoothing, "given alone = 1e-4, as in Marian"),
        refused("guided-alignment", A::One, "none", "guided alignment is not supported"),
        ignored("guided-alignment-cost", A::One, "mse", "guided alignment only"),
        ignored("guided-alignment-weight", A::One, "0.1", "guided alignment only"),
        refused("data-weighting", A::One, "", "data weighting is not supported"),
        ignored("data-weighting-type", A::One, "sentence", "data weighting only"),
        refused("embedding-vectors", A::List, "", "pre-trained embeddings are not supported"),
        refused_flag("embedding-normalization", "pre-trained embeddings are not supported"),
        refused_flag("embedding-fix-src", "frozen embeddings are not supported"),
        refused_flag("embedding-fix-trg", "frozen embeddings are not supported"),
        mapped("fp16", 0, A::Flag, map_fp16,
               "precision [float16, float32] and cost-scaling [8, 10000, 1, 8], as Marian's --help "
               "describes it, each unless given explicitly"),
        adapted("precision", 0, adapt_precision,
                "float32, bfloat16 or float16 GEMMs; the optimizer (and saved model) type must be float32"),
        same("cost-scaling", 0, "Marian's syntax: scale [frequency [multiplier [minimum]]], 8.f accepted"),
        ignored("gradient-norm-average-window", A::One, "100", "only with --dynamic-gradient-scaling"),
        refused("dynamic-gradient-scaling", A::List, "", "not supported: use --clip-norm"),
        ignored_flag("check-gradient-nan", "an update with a NaN/Inf gradient is always skipped"),
        refused_flag("normalize-gradient", "the gradient is always that of the mean loss per target token"),
        refused("train-embedder-rank", A::List, "", "embedder training is not supported"),
        refused("quantize-bits", A::One, "0", "quantised training is not supported"),
        ignored("quantize-optimization-steps", A::One, "0", "only with --quantize-bits"),
        ignored_flag("quantize-log-based", "only with --quantize-bits"),
        ignored_flag("quantize-biases", "only with --quantize-bits"),
        refused_flag("ulr", "universal language representations (ULR) are not supported"),
        ignored("ulr-query-vectors", A::One, "", "only with --ulr"),
        ignored("ulr-keys-vectors", A::One, "", "only with --ulr"),
        ignored_flag("ulr-trainable-transformation", "only with --ulr"),
        ignored("ulr-dim-emb", A::One, "0", "only with --ulr"),
        ignored("ulr-dropout", A::One, "0", "only with --ulr"),
        ignored("ulr-softmax-temperature", A::One, "1", "only with --ulr"),
        refused("task", A::List, "", "not supported: give the task's options explicitly (docs/marian.md)"),
    };
}

std::vector<MarianOption> validation_rows() {
    return {
        same("valid-sets"),
        adapted("valid-freq", 0, adapt_updates, "in updates ('u' accepted; 't' refused)"),
        adapted("valid-metrics", 0, adapt_valid_metrics,
                "ce-mean-words = cross-entropy (per target token), bleu-detok = bleu; translation and "
                "valid-script run --valid-script-path; bleu-segmented is refused"),
        refused_flag("valid-reset-stalled", "not supported: the stalled count is part of the exact resume"),
        same("early-stopping"),
        refused("early-stopping-on", A::One, "first", "early stopping follows the first metric"),
        same("beam-size", 'b'),
        adapted("normalize", 'n', adapt_normalize, "given alone = 1, as in Marian"),
        refused("max-length-factor", A::One, "3", "validation translations stop at 3 x the source length"),
        refused("word-penalty", A::One, "0", "word penalties are not supported"),
        ignored_flag("allow-unk", "validation uses the decoder's defaults"),
        ignored_flag("n-best", "validation scores the best translation"),
        ignored_flag("word-scores", "validation scores the best translation"),
        same("valid-mini-batch"),
        ignored("valid-max-length", A::One, "1000", "validation sentences are never cropped"),
        same("valid-script-path", 0, "run on the translations for valid-metrics translation, alone for "
                                     "valid-script; its first number on stdout is the score (higher is better)"),
        same("valid-script-args", 0, "words between the script and the translation file"),
        same("valid-translation-output", 0, "one file per direction, FILE.<src>-<tgt>; Marian's {U}-style "
                                            "templates are not expanded"),
        same("keep-best", 0, "on by default in deepnet (<model>.best-<metric>.safetensors)"),
        same("valid-log"),
    };
}

}  // namespace

std::vector<MarianGroup> marian_training_groups() {
    return {general_group(true), model_group(), {"Training options", training_rows()},
            {"Validation set options", validation_rows()}};
}

}  // namespace deepnet::marian
