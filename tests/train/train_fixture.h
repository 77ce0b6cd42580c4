// Helpers for training tests: a small built-in task in a fresh directory, running
// `deepnet train` in-process from command-line words, and reading the JSON-lines log.
#pragma once

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "src/config/command_line.h"
#include "src/config/data_config.h"
#include "src/config/train_config.h"
#include "src/core/log.h"
#include "src/data/builtin_task.h"
#include "src/train/trainer.h"

namespace deepnet::test {

// A fresh directory under the test's working directory holding the built-in task.
inline std::string make_task_dir(const std::string& name, int64_t train_size = 400) {
    const std::string dir = "train_test_" + name;
    std::system(("rm -rf " + dir).c_str());
    BuiltinTaskSizes sizes;
    sizes.train = train_size;
    sizes.valid = 20;
    sizes.test = 20;
    write_builtin_task(dir, 5, sizes);
    return dir;
}

// Options for a tiny, fast run on the task in `dir`.
inline std::vector<std::string> tiny_run_args(const std::string& dir, const std::string& model) {
    return {"--train-sets", dir + "/train.en", dir + "/train.xx", "--dim-vocabs", "120",
            "--enc-depth", "2", "--dec-depth", "2", "--dim-emb", "32", "--transformer-heads", "2",
            "--transformer-dim-ffn", "48", "--mini-batch-words", "300", "--lr-warmup", "5",
            "--learn-rate", "2e-3", "--disp-freq", "1", "--cpu-threads", "2",
            "-m", dir + "/" + model, "--vocabs", dir + "/vocab.spm"};
}

// Sets `flag value` in args, replacing an existing value.
inline void set_arg(std::vector<std::string>& args, const std::string& flag, const std::string& value) {
    for (size_t i = 0; i + 1 < args.size(); ++i)
        if (args[i] == flag) {
            args[i + 1] = value;
            return;
        }
    args.insert(args.end(), {flag, value});
}

inline int train_with(const std::vector<std::string>& args) {
    const ResolvedOptions opts = parse_options("train", args);
    log::set_quiet(true);
    TrainerSetup s;
    s.model = model_config_from(opts);
    s.train = train_config_from(opts);
    s.data = data_config_from(opts);
    s.config_yaml = dump_config_yaml(opts);
    return run_training(s);
}

// Values of `"key":<number>` on the lines of a JSON-lines file whose type is `type`.
inline std::vector<std::string> json_field(const std::string& path, const std::string& type,
                                           const std::string& key) {
    std::ifstream in(path);
    std::vector<std::string> out;
    std::string line;
    while (std::getline(in, line)) {
        if (line.find("\"type\":\"" + type + "\"") == std::string::npos) continue;
        const size_t at = line.find("\"" + key + "\":");
        if (at == std::string::npos) continue;
        const size_t start = at + key.size() + 3;
        out.push_back(line.substr(start, line.find_first_of(",}", start) - start));
    }
    return out;
}

inline std::string file_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// The tensor data of a safetensors file (everything after the JSON header).
inline std::string tensor_bytes(const std::string& path) {
    const std::string all = file_bytes(path);
    if (all.size() < 8) return "";
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = n << 8 | uint8_t(all[size_t(i)]);
    return all.substr(size_t(8 + n));
}

}  // namespace deepnet::test
