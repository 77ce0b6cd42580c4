// What the `deepnet eval` CLI tests share: a working folder per process (CTest runs each case
// as its own process, in parallel; files keep their bare names, which the multi-system table
// prints), writing a file into it, and running the binary there with SACREBLEU_FORMAT
// cleared (it would override -f, as in sacreBLEU) unless a case sets it.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/run_binary.h"

namespace deepnet::test {

// Creates PREFIX_<pid> and returns its name (each test file keeps its own in a static).
inline std::string make_eval_work_dir(const std::string& prefix) {
    const std::string d = prefix + "_" + std::to_string(::getpid());
    std::filesystem::create_directories(d);
    return d;
}

// Writes `text` as work_dir/name, byte for byte; returns the bare name.
inline std::string write_in(const std::string& dir, const std::string& name, const std::string& text) {
    std::ofstream(dir + "/" + name, std::ios::binary) << text;
    return name;
}

// `deepnet ARGS` in `dir`, with extra environment assignments `env` ("A=1 B=2") if given.
inline Run run_eval_in(const std::string& dir, const std::string& args, const std::string& env = "") {
    return run_binary(args, "cd " + dir + " && env -u SACREBLEU_FORMAT " + env + " " + DEEPNET_BINARY);
}

}  // namespace deepnet::test
