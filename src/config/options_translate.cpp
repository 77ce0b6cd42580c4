// Groups "Translate" (deepnet translate) and "Score" (deepnet score): Marian's option names
// and meanings, one row per option. The model and train-sets are checked by the commands
// (after --help and --dump-config, which need neither).
// Defaults that differ from Marian's decoder: beam-size 4 (Marian 12), normalize 0.6
// (Marian 0, implicit 1; 0.6 is what Marian's transformer recipes pass), mini-batch 32 and
// maxi-batch 100 (Marian 1 and 1), max-length-crop on (Marian off).
#include "src/config/option_groups.h"

namespace deepnet {
namespace {

OptionSpec model_row() {
    return string_option("model", "", "Model file to load (written by deepnet train)")
        .alias('m').metavar("FILE");
}
OptionSpec output_row() {
    return string_option("output", "stdout", "Output file; stdout = standard output")
        .alias('o').metavar("FILE");
}
OptionSpec max_length_row(const char* which = "source tokens (language tag included, </s> not)") {
    return int_option("max-length", 1000, std::string("Maximum ") + which + "; longer input is "
                      "cropped or rejected (max-length-crop)").at_least(1);
}
OptionSpec crop_row() {
    return bool_option("max-length-crop", true, "Crop input longer than max-length with a "
                       "warning; false = stop with an error");
}
OptionSpec mini_batch_row() {
    return int_option("mini-batch", 32, "Sentences decoded together in one batch").at_least(1);
}
OptionSpec maxi_batch_row() {
    return int_option("maxi-batch", 100, "Mini-batches read ahead and sorted by length; output "
                      "stays in input order").at_least(1);
}
OptionSpec devices_row() {
    return int_list_option("devices", {}, "GPU to run on (one id, Marian's option); empty = the CPU")
        .alias('d').metavar("ID");
}
OptionSpec precision_row() {
    return string_list_option("precision", {"float32"}, "Type of the GEMM operands: bfloat16 or float16 "
                              "round them (cuBLASLt on a GPU; oneDNN with AVX-512 or AMX on the CPU), "
                              "float32 keeps them; weights and sums stay float32")
        .one_of({"float32", "bfloat16", "float16"}).metavar("TYPE");
}
OptionSpec target_lang_row() {
    return string_option("target-lang", "", "Target language of a multilingual model (e.g. de): "
                         "its tag <2de> goes first on every source").metavar("LANG");
}

}  // namespace

OptionGroup translate_options() {
    return {"Translate", {
        model_row(),
        string_option("input", "stdin", "Input file (plain or gzip); stdin = standard input")
            .alias('i').metavar("FILE"),
        output_row(),
        int_option("beam-size", 4, "Beam size; 1 = greedy search").alias('b').range(1, 1000),
        double_option("normalize", 0.6, "Rank finished translations by score / length^arg "
                      "(length in tokens with </s>); 0 = raw score").alias('n').range(0, 10),
        double_option("max-length-factor", 3, "Maximum output length (tokens with </s>) as the "
                      "source length (with </s>) times this factor").range(0.001, 1000),
        max_length_row(),
        crop_row(),
        mini_batch_row(),
        maxi_batch_row(),
        bool_option("n-best", false, "Print beam-size lines per input in Marian's format "
                    "'id ||| translation ||| F0= score ||| total'"),
        target_lang_row(),
        bool_option("allow-unk", false, "Allow <unk> in the output"),
        devices_row(),
        precision_row(),
    }};
}

OptionGroup score_options() {
    return {"Score", {
        model_row(),
        string_list_option("train-sets", {}, "Source and target file of the pairs to score "
                           "(plain or gzip)").alias('t').metavar("FILE"),
        output_row(),
        bool_option("normalize", false, "Divide each score by the target length (tokens with </s>)")
            .alias('n'),
        max_length_row("tokens of each side (the source's language tag included, </s> not)"),
        crop_row(),
        mini_batch_row(),
        maxi_batch_row(),
        target_lang_row(),
        devices_row(),
        precision_row(),
    }};
}

}  // namespace deepnet
