// The option groups, one function per group, each defined in its own options_<group>.cpp
// together with the cross-field checks of that group. command_table.cpp lists which
// subcommand gets which groups.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "src/config/option_spec.h"

namespace deepnet {

// options_general.cpp: config, dump-config, help, seed, cpu-threads, quiet, log.
OptionGroup general_options();

// options_model.cpp: Transformer shape, norm scheme, DeepNorm constants, dropout, ...
OptionGroup model_options();
void check_model_options(const ResolvedOptions& opts, std::vector<std::string>& warnings);
// The DeepNorm alpha/beta the model really uses, for --dump-config.
std::map<std::string, DerivedValue> derive_model_values(const ResolvedOptions& opts);

// options_data.cpp: corpora, joint vocabulary, batching, sampling, language tags.
OptionGroup data_options();
void check_data_options(const ResolvedOptions& opts, std::vector<std::string>& warnings);

// options_training.cpp: optimisation, schedule, checkpoints, validation, logging.
OptionGroup training_options();
void check_training_options(const ResolvedOptions& opts, std::vector<std::string>& warnings);

// options_dist.cpp: data-parallel training under mpirun (optimizer sharding, timeout).
OptionGroup dist_options();

// options_generate_task.cpp: the built-in task's output directory and sizes.
OptionGroup generate_task_options();

// options_translate.cpp: groups "Translate" (deepnet translate) and "Score" (deepnet score).
OptionGroup translate_options();
OptionGroup score_options();

// options_average.cpp: the models to average (files, or the last/best kept copies) and the output.
OptionGroup average_options();

// options_eval.cpp: references, metrics, tokenizer, output format of `deepnet eval`.
OptionGroup eval_options();

}  // namespace deepnet
