// Marian's "General options" and "Model options" (config_parser.cpp: addOptionsGeneral,
// addOptionsModel) and what deepnet does with each. The decoder's copy of the model group
// is derived from this one in marian_catalogue_decoder.cpp.
#include "src/config/marian_rows.h"

namespace deepnet::marian {

MarianGroup general_group(bool training) {
    using A = MarianArity;
    MarianGroup g{"General options", {
        refused_flag("authors", "deepnet prints no author list: see README.md"),
        refused_flag("cite", "deepnet prints no citation: see README.md"),
        refused("build-info", A::List, "", "not supported: `deepnet --version` prints the version"),
        same("config", 'c', "several files, a later one overriding an earlier one, as in Marian"),
        training ? same("workspace", 'w', "the budget of activations and scratch that --mini-batch-fit fills "
                                          "(nothing is preallocated); --dump-memory prints the plan")
                 : ignored("workspace", A::One, "512",
                           "deepnet allocates exactly what the model and the batch need, so there is no "
                           "workspace to preallocate", 'w'),
        same("log"),
        mapped("log-level", 0, A::One, map_log_level,
               "trace, debug, info: every line; warn, err, error, critical, off: --quiet (deepnet's warnings "
               "are always printed)"),
        ignored("log-time-zone", A::One, "", "log lines carry the local time"),
        same("quiet"),
        ignored_flag("quiet-translation", training ? "deepnet does not log validation translations (write them "
                                                     "with --valid-translation-output)"
                                                   : "deepnet translate logs no per-sentence lines"),
        same("seed", 0, "0 is a seed like any other (Marian: 0 = random)"),
        ignored_flag("check-nan", "deepnet checks the loss and the gradients of every update and skips one "
                                  "that is not finite (--max-skipped-updates)"),
        refused_flag("interpolate-env-vars", "not supported: let the shell expand ${VAR}"),
        refused_flag("relative-paths", "not supported: paths in config files are relative to the working "
                                       "directory"),
        adapted("dump-config", 0, adapt_dump_config, "full, minimal and expand all print every resolved option"),
        ignored("version", A::List, "*", "the version key of a Marian model.npz.yml is ignored; "
                                          "`deepnet --version` prints deepnet's"),
        same("help", 'h'),
    }};
    if (training)
        g.options.insert(g.options.begin() + 15,
                         refused("sigterm", A::One, "save-and-exit",
                                 "deepnet always saves and exits on SIGTERM"));
    return g;
}

MarianGroup model_group() {
    using A = MarianArity;
    return {"Model options", {
        same("model", 'm', "any path; the file is safetensors whatever its extension"),
        same("pretrained-model", 0, "fine-tuning from a deepnet model file (weights and vocabulary); ignored "
             "when the run resumes, as in Marian"),
        ignored_flag("ignore-model-config", "a resumed run is always checked against the saved model options"),
        mapped("type", 0, A::One, map_type, "transformer only: amun, nematus, s2s, multi-s2s, ... are refused"),
        adapted("dim-vocabs", 0, adapt_dim_vocabs,
                "one joint SentencePiece vocabulary: one size, or the same size twice (8000 8000)"),
        same("dim-emb"),
        refused("factors-dim-emb", A::One, "0", "factored vocabularies are not supported"),
        ignored("factors-combine", A::One, "sum", "factored vocabularies only"),
        refused("lemma-dependency", A::One, "", "factored vocabularies are not supported"),
        ignored("lemma-dim-emb", A::One, "0", "factored vocabularies only"),
        rnn("dim-rnn", A::One, "1024"),
        rnn("enc-type", A::One, "bidirectional"),
        rnn("enc-cell", A::One, "gru"),
        rnn("enc-cell-depth", A::One, "1"),
        same("enc-depth"),
        rnn("dec-cell", A::One, "gru"),
        rnn("dec-cell-base-depth", A::One, "2"),
        rnn("dec-cell-high-depth", A::One, "1"),
        same("dec-depth"),
        rnn("skip", A::Flag, "false"),
        rnn("layer-normalization", A::Flag, "false"),
        refused_flag("right-left", "right-to-left models are not supported"),
        refused("input-types", A::List, "", "only sentence (sequence) inputs are supported"),
        refused_flag("best-deep", "Edinburgh's deep RNN is not supported (Transformer only)"),
        same("tied-embeddings"),
        refused_flag("tied-embeddings-src", "not supported: use --tied-embeddings-all (the vocabulary is joint)"),
        same("tied-embeddings-all"),
        ignored("output-omit-bias", A::Flag, "true", "deepnet's output layer never has a bias (as with "
                                                     "--output-omit-bias)"),
        same("transformer-heads"),
        refused_flag("transformer-no-projection", "the attention output projection is always there"),
        refused_flag("transformer-pool", "not supported: the decoder attends to every encoder state"),
        same("transformer-dim-ffn"),
        refused("transformer-ffn-depth", A::One, "2", "the feed-forward sublayer has two layers"),
        adapted("transformer-ffn-activation", 0, adapt_ffn_activation,
                "relu or gelu; swish (Marian's default) is refused"),
        ignored("transformer-dim-aan", A::One, "2048", "average attention (AAN) only"),
        ignored("transformer-aan-depth", A::One, "2", "average attention (AAN) only"),
        ignored("transformer-aan-activation", A::One, "swish", "average attention (AAN) only"),
        ignored_flag("transformer-aan-nogate", "average attention (AAN) only"),
        refused("transformer-decoder-autoreg", A::One, "self-attention",
                "the decoder uses self-attention; average-attention is not supported"),
        refused("transformer-tied-layers", A::List, "", "tied decoder layers are not supported"),
        ignored("transformer-guided-alignment-layer", A::One, "last", "guided alignment only"),
        mapped("transformer-preprocess", 0, A::One, map_residual_part,
               "with --transformer-postprocess: n and da = transformer-norm pre"),
        mapped("transformer-postprocess-emb", 0, A::One, map_residual_part,
               "d only (dropout after the embeddings, which deepnet always applies)"),
        mapped("transformer-postprocess", 0, A::One, map_residual_part,
               "dan = transformer-norm post, unless transformer-norm deepnorm is given (DeepNorm is a "
               "Post-LN scheme); da with --transformer-preprocess n = pre; other strings are refused"),
        mapped("transformer-postprocess-top", 0, A::One, map_residual_part,
               "n goes with pre: deepnet's pre-norm stacks end with a LayerNorm; n with post is refused"),
        refused_flag("transformer-train-position-embeddings", "positions are sinusoidal, never trained"),
        refused_flag("transformer-depth-scaling", "not supported: use transformer-norm deepnorm (DeepNet's "
                                                  "depth-scaled residuals and init)"),
        ignored("bert-mask-symbol", A::One, "[MASK]", "BERT training only"),
        ignored("bert-sep-symbol", A::One, "[SEP]", "BERT training only"),
        ignored("bert-class-symbol", A::One, "[CLS]", "BERT training only"),
        ignored("bert-masking-fraction", A::One, "0.15", "BERT training only"),
        ignored("bert-train-type-embeddings", A::Flag, "true", "BERT training only"),
        ignored("bert-type-vocab-size", A::One, "2", "BERT training only"),
        ignored("char-stride", A::One, "5", "char-s2s (RNN) only"),
        ignored("char-highway", A::One, "4", "char-s2s (RNN) only"),
        ignored("char-conv-filters-num", A::List, "200 200 250 250 300 300 300 300", "char-s2s (RNN) only"),
        ignored("char-conv-filters-widths", A::List, "1 2 3 4 5 6 7 8", "char-s2s (RNN) only"),
        rnn("dropout-rnn", A::One, "0"),
        refused("dropout-src", A::One, "0", "source word dropout is not supported"),
        refused("dropout-trg", A::One, "0", "target word dropout is not supported"),
        same("transformer-dropout"),
        same("transformer-dropout-attention"),
        same("transformer-dropout-ffn"),
    }};
}

}  // namespace deepnet::marian
