// Marian's options that are not deepnet's but set deepnet options (the mappers of
// marian_rows.h). Each leaves an option given explicitly alone (set_unless_given).
#include <string>
#include <vector>

#include "src/config/marian_options.h"
#include "src/config/marian_rows.h"
#include "src/config/marian_words.h"
#include "src/config/option_value.h"

namespace deepnet::marian {

void map_type(ResolvedOptions& /*opts*/, const MarianSetting& s) {
    if (word(s) == "transformer") return;
    refuse(s, "deepnet trains Transformer encoder-decoders only (Marian's amun, nematus, s2s, multi-s2s, "
              "lm and similar types are other models): use --type transformer");
}

void map_cost_type(ResolvedOptions& /*opts*/, const MarianSetting& s) {
    const std::string t = word(s);
    if (t == "ce-mean-words") return;
    const bool marians = t == "ce-sum" || t == "ce-mean" || t == "perplexity" || t == "cross-entropy";
    refuse(s, std::string(marians ? "not supported" : "not one of Marian's cost types") +
                  ": deepnet's loss is the cross-entropy averaged over the target tokens of an update, "
                  "Marian's ce-mean-words; use --cost-type ce-mean-words");
}

void map_fp16(ResolvedOptions& opts, const MarianSetting& s) {
    if (!flag_on(s)) return;
    set_unless_given(opts, "precision", std::vector<std::string>{"float16", "float32"}, s);
    set_unless_given(opts, "cost-scaling", std::vector<std::string>{"8", "10000", "1", "8"}, s);
}

void map_fp16_decoding(ResolvedOptions& opts, const MarianSetting& s) {
    if (flag_on(s)) set_unless_given(opts, "precision", std::vector<std::string>{"float16"}, s);
}

void map_after(ResolvedOptions& opts, const MarianSetting& s) {
    int64_t updates = 0, epochs = 0;
    const std::string text = word(s);
    size_t start = 0;
    while (start <= text.size()) {  // "10e,100Ku": whichever comes first
        const size_t comma = text.find(',', start);
        const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        Period p;
        try {
            p = parse_period(item);
        } catch (const ValueError& e) {
            refuse(s, e.what());
        }
        if (p.unit == 't' && p.count > 0)
            refuse(s, "a count of target labels (" + item + ") is not supported: give updates (u) or epochs (e)");
        (p.unit == 'e' ? epochs : updates) = p.count;
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    if (updates > 0) set_unless_given(opts, "after-batches", updates, s);
    if (epochs > 0) set_unless_given(opts, "after-epochs", epochs, s);
}

void map_overwrite(ResolvedOptions& opts, const MarianSetting& s) {
    if (flag_on(s)) set_unless_given(opts, "keep-checkpoints", int64_t(1), s);
}

void map_log_level(ResolvedOptions& opts, const MarianSetting& s) {
    const std::string l = word(s);
    if (l == "trace" || l == "debug" || l == "info") return;
    if (l == "warn" || l == "warning" || l == "err" || l == "error" || l == "critical" || l == "off") {
        set_unless_given(opts, "quiet", true, s);
        return;
    }
    refuse(s, "'" + l + "' is not one of trace, debug, info, warn, err, error, critical, off");
}

void map_no_shuffle(ResolvedOptions& opts, const MarianSetting& s) {
    if (flag_on(s)) set_unless_given(opts, "shuffle", std::string("none"), s);
}

void map_no_nccl(ResolvedOptions& opts, const MarianSetting& s) {
    if (flag_on(s)) set_unless_given(opts, "distributed-backend", std::string("mpi"), s);
}

void map_gradient_checkpointing(ResolvedOptions& opts, const MarianSetting& s) {
    if (flag_on(s)) set_unless_given(opts, "recompute", true, s);
}

void map_models(ResolvedOptions& opts, const MarianSetting& s) {
    if (s.words.size() > 1)
        refuse(s, "ensembles are not supported: give one model file (--model)");
    if (s.words.size() == 1) set_unless_given(opts, "model", s.words[0], s);
}

void map_residual_part(ResolvedOptions& /*opts*/, const MarianSetting& /*s*/) {
    // Read with the other three by map_transformer_norm, once all are known.
}

}  // namespace deepnet::marian
