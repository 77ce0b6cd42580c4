// Marian's decoder (`marian-decoder`): general options, the model options (which the
// decoder reads from the model file: here every one of them is ignored, --models aside) and
// its "Translator options" with the input-length, devices and batching sub-options
// (config_parser.cpp: addOptionsTranslation), and what deepnet translate does with each.
#include "src/config/marian_rows.h"

namespace deepnet::marian {
namespace {

using A = MarianArity;

// Training-only rows of the model group (Marian adds them in training mode only).
bool training_only(const std::string& name) {
    return name == "model" || name == "pretrained-model" || name.rfind("dropout-", 0) == 0 ||
           name.rfind("transformer-dropout", 0) == 0;
}

MarianGroup decoder_model_group() {
    MarianGroup g{"Model options", {mapped("models", 'm', A::List, map_models,
                                           "one model file = --model; ensembles are refused")}};
    for (MarianOption o : model_group().options) {
        if (training_only(o.name)) continue;
        o.kind = MarianKind::Ignored;
        o.neutral = "*";
        o.note = "the architecture is read from the model file";
        o.adapt = nullptr;
        o.map = nullptr;
        o.arity = o.arity == A::Flag ? A::Flag : A::List;
        g.options.push_back(std::move(o));
    }
    return g;
}

std::vector<MarianOption> translator_rows() {
    return {
        adapted("input", 'i', adapt_one_file, "one file (plain or gzip), or stdin"),
        same("output", 'o'),
        ignored("vocabs", A::List, "*", "the vocabulary is stored in the model file", 'v'),
        same("beam-size", 'b'),
        adapted("normalize", 'n', adapt_normalize, "given alone = 1, as in Marian"),
        same("max-length-factor"),
        refused("word-penalty", A::One, "0", "word penalties are not supported"),
        same("allow-unk"),
        refused_flag("allow-special", "special symbols never appear in the output"),
        same("n-best"),
        refused("alignment", A::List, "", "word alignments are not supported"),
        refused_flag("word-scores", "word-level scores are not supported"),
        ignored("stat-freq", A::One, "0", "deepnet translate logs one summary line at the end"),
        refused_flag("no-spm-decode", "the output is always detokenised"),
        same("max-length"),
        same("max-length-crop"),
        refused_flag("tsv", "give a plain text input"),
        refused("tsv-fields", A::One, "0", "give a plain text input"),
        same("devices", 'd', "one GPU; empty = the CPU"),
        ignored("num-devices", A::One, "0", "the GPU is the one of --devices"),
        same("cpu-threads"),
        same("mini-batch"),
        ignored("mini-batch-words", A::One, "0", "a batch holds --mini-batch sentences"),
        same("maxi-batch"),
        ignored("maxi-batch-sort", A::One, "none", "each maxi-batch is sorted by length; the output stays "
                                                   "in input order"),
        mapped("fp16", 0, A::Flag, map_fp16_decoding, "precision float16, unless given explicitly"),
        same("precision", 0, "one type: float32, bfloat16 or float16 GEMM operands"),
        ignored_flag("skip-cost", "the scores are always computed"),
        refused("shortlist", A::List, "", "softmax shortlists are not supported"),
        refused("weights", A::List, "", "ensembles (scorer weights) are not supported"),
        refused_flag("output-sampling", "sampling is not supported: beam search only"),
        refused("output-approx-knn", A::List, "", "not supported"),
        refused_flag("optimize", "on-the-fly quantisation is not supported"),
        refused("gemm-type", A::One, "float32", "float32 GEMMs only", 'g'),
        ignored("quantize-range", A::One, "0", "on-the-fly quantisation only"),
    };
}

}  // namespace

std::vector<MarianGroup> marian_decoder_groups() {
    return {general_group(false), decoder_model_group(), {"Translator options", translator_rows()}};
}

}  // namespace deepnet::marian
