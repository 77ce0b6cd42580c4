// `deepnet train` as a process: SIGTERM saves and exits cleanly, SIGKILL at any moment
// leaves a loadable checkpoint from which the run resumes to the same final weights as a
// run never interrupted, divergence stops with a clear message, bad data is refused.
#include <catch2/catch.hpp>

#include "src/core/exit_codes.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "train_fixture.h"

using namespace deepnet::test;

namespace {

std::vector<std::string> cli_args(const std::string& dir, const std::string& model, int updates) {
    std::vector<std::string> a = tiny_run_args(dir, model);
    a.insert(a.end(), {"--after-batches", std::to_string(updates), "--save-freq", "3"});
    return a;
}

pid_t spawn(const std::vector<std::string>& args, const std::string& log) {
    const pid_t pid = fork();
    if (pid == 0) {
        FILE* f = std::fopen(log.c_str(), "a");
        dup2(fileno(f), 1);
        dup2(fileno(f), 2);
        std::vector<char*> argv;
        std::string bin = DEEPNET_BINARY, cmd = "train";
        argv.push_back(bin.data());
        argv.push_back(cmd.data());
        std::vector<std::string> copy = args;
        for (auto& s : copy) argv.push_back(s.data());
        argv.push_back(nullptr);
        execv(bin.c_str(), argv.data());
        _exit(127);
    }
    return pid;
}

int wait_exit(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string slurp(const std::string& p) { return file_bytes(p); }

}  // namespace

TEST_CASE("SIGKILL at any moment: the rerun resumes and ends where an uninterrupted run ends", "[train][process]") {
    const std::string dir = make_task_dir("kill", 600);
    REQUIRE(wait_exit(spawn(cli_args(dir, "straight.safetensors", 30), dir + "/straight.log")) == 0);
    const std::string reference = tensor_bytes(dir + "/straight.safetensors");
    REQUIRE(reference.size() > 100000);

    const auto run_args = cli_args(dir, "killed.safetensors", 30);
    int kills = 0;
    for (int delay_ms : {150, 350, 250, 500}) {
        const pid_t pid = spawn(run_args, dir + "/killed.log");
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
        if (kill(pid, SIGKILL) == 0) ++kills;
        wait_exit(pid);
    }
    // One more kill once a training state exists (it is written after the model), so the rerun
    // resumes even when a loaded machine was too slow to reach the first save before the
    // timed kills above.
    const pid_t pid = spawn(run_args, dir + "/killed.log");
    for (int i = 0; i < 6000 && !std::ifstream(dir + "/killed.safetensors.state.safetensors").good(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (kill(pid, SIGKILL) == 0) ++kills;
    wait_exit(pid);
    INFO("killed " << kills << " times");
    REQUIRE(wait_exit(spawn(run_args, dir + "/killed.log")) == 0);
    REQUIRE(tensor_bytes(dir + "/killed.safetensors") == reference);
    // No temporary files are left behind by the interrupted writes... beyond the last kill's.
    REQUIRE(slurp(dir + "/killed.log").find("resuming from") != std::string::npos);
}

TEST_CASE("SIGTERM saves and exits cleanly, the rerun continues", "[train][process]") {
    const std::string dir = make_task_dir("term", 600);
    const auto args = cli_args(dir, "m.safetensors", 400);
    const pid_t pid = spawn(args, dir + "/term.log");
    // The signal must find training under way (its handler is installed before the data is
    // read): on a loaded machine a fixed delay could land before that, in the default handler.
    for (int i = 0; i < 6000 && slurp(dir + "/term.log").find("Ep. ") == std::string::npos; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    kill(pid, SIGTERM);
    REQUIRE(wait_exit(pid) == deepnet::kExitStoppedBySignal);  // saved; distinct from a finished run
    const std::string log = slurp(dir + "/term.log");
    REQUIRE(log.find("stopped by signal 15") != std::string::npos);
    const auto saved = json_field(dir + "/m.safetensors.train.jsonl", "event", "updates");
    REQUIRE(!saved.empty());
    const int stopped_at = std::stoi(saved.back());
    REQUIRE(stopped_at < 400);
    auto more = args;
    set_arg(more, "--after-batches", std::to_string(stopped_at + 2));
    REQUIRE(wait_exit(spawn(more, dir + "/term.log")) == 0);
    REQUIRE(slurp(dir + "/term.log").find("resumed at update " + std::to_string(stopped_at)) != std::string::npos);
}

TEST_CASE("divergence: NaN/Inf updates are skipped, a run of them stops with exit 1", "[train][process]") {
    const std::string dir = make_task_dir("diverge");
    auto args = cli_args(dir, "m.safetensors", 50);
    set_arg(args, "--learn-rate", "1e30");
    set_arg(args, "--lr-warmup", "0");
    set_arg(args, "--max-skipped-updates", "3");
    REQUIRE(wait_exit(spawn(args, dir + "/d.log")) == 1);
    const std::string log = slurp(dir + "/d.log");
    REQUIRE(log.find("NaN/Inf in the loss or gradient, update skipped (3 in a row)") != std::string::npos);
    REQUIRE(log.find("The last good checkpoint is intact") != std::string::npos);
}

TEST_CASE("bad data is refused before training, naming the file", "[train][process]") {
    const std::string dir = make_task_dir("baddata");
    {
        std::ofstream f(dir + "/short.xx");
        f << "Ein Hund .\n";
    }
    auto args = tiny_run_args(dir, "m.safetensors");
    for (size_t i = 0; i < args.size(); ++i)
        if (args[i] == dir + "/train.xx") args[i] = dir + "/short.xx";
    REQUIRE(wait_exit(spawn(args, dir + "/bad.log")) == 2);
    std::string log = slurp(dir + "/bad.log");
    REQUIRE(log.find("short.xx") != std::string::npos);
    REQUIRE(log.find("error") != std::string::npos);

    auto missing = tiny_run_args(dir, "m2.safetensors");
    for (auto& a : missing)
        if (a == dir + "/train.xx") a = dir + "/nope.xx";
    REQUIRE(wait_exit(spawn(missing, dir + "/missing.log")) == 2);
    REQUIRE(slurp(dir + "/missing.log").find("nope.xx") != std::string::npos);
    {
        std::ofstream f(dir + "/bad_utf8.en", std::ios::binary);
        for (int i = 0; i < 400; ++i) f << (i == 7 ? "caf\xc3 bad\n" : "A dog .\n");
    }
    auto utf = tiny_run_args(dir, "m3.safetensors");
    for (auto& a : utf)
        if (a == dir + "/train.en") a = dir + "/bad_utf8.en";
    REQUIRE(wait_exit(spawn(utf, dir + "/utf.log")) == 2);
    log = slurp(dir + "/utf.log");
    REQUIRE(log.find("bad_utf8.en:8") != std::string::npos);
}
