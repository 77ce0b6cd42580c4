// Helpers for the data-parallel tests: launching `mpirun -np N deepnet train ...` as a
// process with the Open MPI settings a test machine needs (root allowed, oversubscribed
// cores, no core binding, one OpenMP thread per rank), finding a rank's process id, and
// comparing safetensors files tensor by tensor.
#pragma once

#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "src/io/safetensors.h"
#include "tests/train/train_fixture.h"

namespace deepnet::test {

// The mpirun found by CMake ("" when MPI is not built or mpirun is missing): [mpi] tests
// return early without it (CTest does not even register them then).
inline std::string mpirun_path() {
#ifdef DEEPNET_MPIRUN
    if (access(DEEPNET_MPIRUN, X_OK) == 0) return DEEPNET_MPIRUN;
#endif
    return "";
}

// Starts `mpirun -np ranks deepnet train args...`, stdout and stderr appended to log.
// `tag` marks the ranks' environment so that rank_pid can find them.
inline pid_t spawn_mpirun(int ranks, const std::vector<std::string>& args, const std::string& log,
                          const std::string& tag) {
    const pid_t pid = fork();
    if (pid == 0) {
        FILE* f = std::fopen(log.c_str(), "a");
        dup2(fileno(f), 1);
        dup2(fileno(f), 2);
        setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
        setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
        setenv("OMPI_MCA_rmaps_base_oversubscribe", "1", 1);
        setenv("OMPI_MCA_hwloc_base_binding_policy", "none", 1);
        setenv("OMPI_MCA_btl_vader_single_copy_mechanism", "none", 1);  // no ptrace in containers
        setenv("OMP_NUM_THREADS", "1", 1);
        setenv("DEEPNET_TEST_JOB", tag.c_str(), 1);
        std::vector<std::string> words = {mpirun_path(),  "-np",  std::to_string(ranks), "-x", "DEEPNET_TEST_JOB",
                                          DEEPNET_BINARY, "train"};
        words.insert(words.end(), args.begin(), args.end());
        std::vector<char*> argv;
        for (auto& w : words)
            argv.push_back(w.data());
        argv.push_back(nullptr);
        execv(argv[0], argv.data());
        _exit(127);
    }
    return pid;
}

inline int wait_exit_code(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

inline int run_mpirun(int ranks, const std::vector<std::string>& args, const std::string& log) {
    return wait_exit_code(spawn_mpirun(ranks, args, log, "run"));
}

// The process id of rank `rank` of the job marked `tag`, or -1 (scans /proc).
inline pid_t rank_pid(const std::string& tag, int rank) {
    DIR* d = opendir("/proc");
    pid_t found = -1;
    const std::string want_tag = "DEEPNET_TEST_JOB=" + tag, want_rank = "OMPI_COMM_WORLD_RANK=" + std::to_string(rank);
    while (dirent* e = d ? readdir(d) : nullptr) {
        const pid_t pid = pid_t(std::atoi(e->d_name));
        if (pid <= 0) continue;
        std::ifstream in("/proc/" + std::string(e->d_name) + "/environ", std::ios::binary);
        std::string env((std::istreambuf_iterator<char>(in)), {}), var;
        bool tagged = false, ranked = false;
        std::istringstream vars(env);
        while (std::getline(vars, var, '\0')) {
            tagged = tagged || var == want_tag;
            ranked = ranked || var == want_rank;
        }
        if (tagged && ranked) found = pid;
    }
    if (d) closedir(d);
    return found;
}

// A job started by spawn_mpirun that a failed REQUIRE must not leave running: unless
// wait() reaped it, the destructor signals mpirun, then kills the ranks still there.
class Job {
public:
    Job(int ranks, const std::vector<std::string>& args, const std::string& log, std::string tag)
        : tag_(std::move(tag)), pid_(spawn_mpirun(ranks, args, log, tag_)), ranks_(ranks) {}
    ~Job() {
        if (pid_ <= 0) return;
        kill(pid_, SIGTERM);
        std::this_thread::sleep_for(std::chrono::seconds(2));
        for (int r = 0; r < ranks_; ++r)
            if (const pid_t p = rank_pid(tag_, r); p > 0) kill(p, SIGKILL);
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
    Job(const Job&) = delete;
    Job& operator=(const Job&) = delete;
    int wait() {
        const int code = wait_exit_code(pid_);
        pid_ = -1;
        return code;
    }
    pid_t rank(int r) const { return rank_pid(tag_, r); }

private:
    std::string tag_;
    pid_t pid_;
    int ranks_;
};

// Waits until `path` holds `needle` (true) or `seconds` pass (false).
inline bool wait_for_text(const std::string& path, const std::string& needle, double seconds) {
    const auto t0 = std::chrono::steady_clock::now();
    while (std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < seconds) {
        if (file_bytes(path).find(needle) != std::string::npos) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

struct TensorDiff {
    double max_abs = 0;
    std::string worst;
    int bitwise_equal = 0, tensors = 0;
};

// Max |a - b| per tensor of two safetensors files with the same tensors; `skip(name)` leaves
// a tensor out of max_abs (it still counts in bitwise_equal).
template <class Skip>
TensorDiff compare_tensors(const std::string& a_path, const std::string& b_path, Skip skip) {
    const SafetensorsFile a = load_safetensors(a_path), b = load_safetensors(b_path);
    TensorDiff d;
    for (const auto& [name, rec] : a.tensors) {
        const auto it = b.tensors.find(name);
        if (it == b.tensors.end()) {
            d.max_abs = INFINITY;
            d.worst = name + " (missing)";
            continue;
        }
        ++d.tensors;
        if (rec.bytes == it->second.bytes) ++d.bitwise_equal;
        if (skip(name)) continue;
        const std::vector<float> x = as_f32(rec), y = as_f32(it->second);
        for (size_t i = 0; i < x.size() && i < y.size(); ++i)
            if (!(std::fabs(double(x[i]) - double(y[i])) <= d.max_abs)) {
                d.max_abs = std::fabs(double(x[i]) - double(y[i]));
                d.worst = name;
            }
    }
    return d;
}

// The key bias gets an exactly zero gradient in exact arithmetic (softmax ignores a shift
// common to all keys of a query), so its float gradient is rounding noise, which Adam turns
// into steps of up to about lr whatever the order of the sum: compared with a bound only.
inline bool key_bias(const std::string& name) {
    return name.find("k_proj.bias") != std::string::npos;
}

// A run on W ranks (ranks_model) against one process with optimizer-delay W (single_model),
// both `updates` updates at learning rate lr: the same logged losses (1e-5 relative) and
// sentences, the weights up to the float32 order of the gradient sum (1e-5; the key biases
// within 2 lr x updates).
inline void check_ranks_equal_one_process(const std::string& single_model, const std::string& ranks_model,
                                          int updates, double lr) {
    const auto loss_1 = json_field(single_model + ".train.jsonl", "train", "loss");
    const auto loss_2 = json_field(ranks_model + ".train.jsonl", "train", "loss");
    REQUIRE(loss_1.size() == size_t(updates));
    REQUIRE(loss_2.size() == loss_1.size());
    for (size_t i = 0; i < loss_1.size(); ++i)
        CHECK(std::stod(loss_2[i]) == Approx(std::stod(loss_1[i])).epsilon(1e-5));
    CHECK(json_field(ranks_model + ".train.jsonl", "train", "sentences") ==
          json_field(single_model + ".train.jsonl", "train", "sentences"));
    const TensorDiff d = compare_tensors(single_model, ranks_model, key_bias);
    INFO("worst tensor " << d.worst << ", " << d.bitwise_equal << " of " << d.tensors << " bitwise equal");
    CHECK(d.tensors > 50);
    CHECK(d.max_abs < 1e-5);
    const TensorDiff kb = compare_tensors(single_model, ranks_model, [](const std::string& n) { return !key_bias(n); });
    CHECK(kb.max_abs < 2 * lr * updates);
}

}  // namespace deepnet::test
