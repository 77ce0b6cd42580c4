// Builders for the rows of the Marian catalogue (marian_catalogue.h), so that each of
// Marian's ~250 options stays one short line, and the groups both programs share (general
// options, model options). Adapters and mappers are declared here; they live in
// marian_values.cpp and marian_mappers.cpp.
#pragma once

#include <string>
#include <vector>

#include "src/config/marian_catalogue.h"

namespace deepnet::marian {

inline MarianOption same(std::string name, char short_name = 0, std::string note = "") {
    MarianOption o;
    o.name = std::move(name);
    o.short_name = short_name;
    o.note = note.empty() ? "same" : "same; " + note;
    return o;
}

// Same option, Marian's value syntax translated by `adapt`.
inline MarianOption adapted(std::string name, char short_name, MarianAdapter adapt, std::string note) {
    MarianOption o = same(std::move(name), short_name, std::move(note));
    o.arity = MarianArity::List;
    o.adapt = adapt;
    return o;
}

inline MarianOption mapped(std::string name, char short_name, MarianArity arity, MarianMapper map,
                           std::string note) {
    MarianOption o;
    o.name = std::move(name);
    o.short_name = short_name;
    o.arity = arity;
    o.kind = MarianKind::Mapped;
    o.map = map;
    o.note = std::move(note);
    return o;
}

inline MarianOption ignored(std::string name, MarianArity arity, std::string neutral, std::string note,
                            char short_name = 0) {
    MarianOption o;
    o.name = std::move(name);
    o.short_name = short_name;
    o.arity = arity;
    o.kind = MarianKind::Ignored;
    o.neutral = std::move(neutral);
    o.note = std::move(note);
    return o;
}

inline MarianOption refused(std::string name, MarianArity arity, std::string neutral, std::string note,
                            char short_name = 0) {
    MarianOption o = ignored(std::move(name), arity, std::move(neutral), std::move(note), short_name);
    o.kind = MarianKind::Refused;
    return o;
}

// Flags (Marian's default false) that deepnet ignores / refuses when they are set.
inline MarianOption ignored_flag(std::string name, std::string note) {
    return ignored(std::move(name), MarianArity::Flag, "false", std::move(note));
}
inline MarianOption refused_flag(std::string name, std::string note) {
    return refused(std::move(name), MarianArity::Flag, "false", std::move(note));
}

// Options of Marian's RNN models (s2s, amun, nematus): Marian ignores them for a
// Transformer too.
inline MarianOption rnn(std::string name, MarianArity arity, std::string neutral) {
    return ignored(std::move(name), arity, std::move(neutral),
                   "RNN (s2s) option: no effect on a Transformer, as in Marian");
}

// Shared groups: "General options" (train: with --sigterm) and "Model options" (as the
// trainer reads them; the decoder reads the architecture from the model file).
MarianGroup general_group(bool training);
MarianGroup model_group();

// The two programs' tables (marian_catalogue_train.cpp, marian_catalogue_decoder.cpp).
std::vector<MarianGroup> marian_training_groups();
std::vector<MarianGroup> marian_decoder_groups();

// Value adapters (marian_values.cpp). Each throws ValueError with the reason.
std::vector<std::string> adapt_dim_vocabs(const std::vector<std::string>& w);
std::vector<std::string> adapt_updates(const std::vector<std::string>& w);
std::vector<std::string> adapt_lr_decay_inv_sqrt(const std::vector<std::string>& w);
std::vector<std::string> adapt_exponential_smoothing(const std::vector<std::string>& w);
std::vector<std::string> adapt_normalize(const std::vector<std::string>& w);
std::vector<std::string> adapt_valid_metrics(const std::vector<std::string>& w);
std::vector<std::string> adapt_precision(const std::vector<std::string>& w);
std::vector<std::string> adapt_ffn_activation(const std::vector<std::string>& w);
std::vector<std::string> adapt_dump_config(const std::vector<std::string>& w);
std::vector<std::string> adapt_one_file(const std::vector<std::string>& w);

// Mappers (marian_mappers.cpp).
void map_type(ResolvedOptions& opts, const MarianSetting& s);
void map_cost_type(ResolvedOptions& opts, const MarianSetting& s);
void map_fp16(ResolvedOptions& opts, const MarianSetting& s);
void map_fp16_decoding(ResolvedOptions& opts, const MarianSetting& s);
void map_after(ResolvedOptions& opts, const MarianSetting& s);
void map_overwrite(ResolvedOptions& opts, const MarianSetting& s);
void map_log_level(ResolvedOptions& opts, const MarianSetting& s);
void map_no_shuffle(ResolvedOptions& opts, const MarianSetting& s);
void map_no_nccl(ResolvedOptions& opts, const MarianSetting& s);
void map_gradient_checkpointing(ResolvedOptions& opts, const MarianSetting& s);
void map_models(ResolvedOptions& opts, const MarianSetting& s);
// transformer-preprocess / -postprocess / -postprocess-emb / -postprocess-top are read
// together by map_transformer_norm (marian_norm.cpp) once every setting is known.
void map_residual_part(ResolvedOptions& opts, const MarianSetting& s);
void map_transformer_norm(ResolvedOptions& opts);

}  // namespace deepnet::marian
