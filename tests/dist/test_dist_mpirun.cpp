// `mpirun -np 2 deepnet train` on CPU ranks (tag [mpi]: registered in CTest only when MPI is
// built and mpirun exists; run directly without them, each case returns at once):
//  - 2 ranks x optimizer-delay 1 equal 1 process x optimizer-delay 2: the same losses, and
//    the same weights up to the float32 order of the gradient sum (checked tensor by tensor);
//  - optimizer-sharding (ZeRO-1) gives bitwise the weights and training state of the
//    unsharded 2-rank run (the same sums, the same elementwise AdamW);
//  - with --mini-batch-fit the ranks agree on the table and still equal one process;
//  - a rank killed mid-run ends the job with a non-zero exit and mpirun's message; the
//    rerun resumes and ends bitwise where an uninterrupted 2-rank run ends;
//  - a hung rank ends the job after dist-timeout with a message; a SIGTERM to one rank stops
//    all ranks after rank 0 saved.
#include <catch2/catch.hpp>

#include "src/core/exit_codes.h"

#include "dist_fixture.h"

using namespace deepnet;
using namespace deepnet::test;

namespace {

std::vector<std::string> dist_args(const std::string& dir, const std::string& model, int updates) {
    std::vector<std::string> a = tiny_run_args(dir, model);
    set_arg(a, "--cpu-threads", "1");
    a.insert(a.end(), {"--after-batches", std::to_string(updates), "--save-freq", "1000", "--transformer-dropout",
                       "0.2", "--transformer-dropout-attention", "0.1"});
    return a;
}

}  // namespace

TEST_CASE("2 ranks equal one process with optimizer-delay 2, and optimizer-sharding equals both", "[dist][mpi]") {
    if (mpirun_path().empty()) {
        WARN("skipped: no MPI build or no mpirun");
        return;
    }
    const std::string dir = make_task_dir("dist_equal");
    const int updates = 10;
    auto single = dist_args(dir, "single.safetensors", updates);
    single.insert(single.end(), {"--optimizer-delay", "2"});
    REQUIRE(train_with(single) == 0);
    REQUIRE(run_mpirun(2, dist_args(dir, "two.safetensors", updates), dir + "/two.log") == 0);
    auto sharded = dist_args(dir, "zero.safetensors", updates);
    sharded.push_back("--optimizer-sharding");
    REQUIRE(run_mpirun(2, sharded, dir + "/zero.log") == 0);

    // The same micro-batches, dropout masks and global token counts: the same losses, and
    // the weights up to the float32 order of the gradient sum.
    check_ranks_equal_one_process(dir + "/single.safetensors", dir + "/two.safetensors", updates, 2e-3);

    // ZeRO-1: the same bits as the unsharded run, and a training state of the same format.
    CHECK(tensor_bytes(dir + "/zero.safetensors") == tensor_bytes(dir + "/two.safetensors"));
    CHECK(tensor_bytes(dir + "/zero.safetensors.state.safetensors") ==
          tensor_bytes(dir + "/two.safetensors.state.safetensors"));
    // Only rank 0 logs: one line per update in the JSON log, one summary line.
    const std::string log = file_bytes(dir + "/two.log");
    CHECK(log.find("data parallel: 2 ranks (mpi)") != std::string::npos);
    CHECK(log.find("training finished at") == log.rfind("training finished at"));
}

// --mini-batch-fit: each rank measures the table, then the ranks take the smallest entry of
// each length (one collective); CPU ranks measure the same table, so the job still cuts the
// batches of one process.
TEST_CASE("2 ranks with --mini-batch-fit agree on the table and equal one process", "[dist][mpi]") {
    if (mpirun_path().empty()) {
        WARN("skipped: no MPI build or no mpirun");
        return;
    }
    const std::string dir = make_task_dir("dist_fit");
    const int updates = 6;
    const std::vector<std::string> fit = {"--mini-batch-fit", "--workspace", "3", "--mini-batch-fit-step", "8",
                                          "--max-length", "40"};
    auto single = dist_args(dir, "single.safetensors", updates);
    single.insert(single.end(), fit.begin(), fit.end());
    single.insert(single.end(), {"--optimizer-delay", "2"});
    REQUIRE(train_with(single) == 0);
    auto two = dist_args(dir, "two.safetensors", updates);
    two.insert(two.end(), fit.begin(), fit.end());
    REQUIRE(run_mpirun(2, two, dir + "/two.log") == 0);
    check_ranks_equal_one_process(dir + "/single.safetensors", dir + "/two.safetensors", updates, 2e-3);
    const std::string log = file_bytes(dir + "/two.log");
    CHECK(log.find("mini-batch-fit: sentences per batch by padded length") != std::string::npos);
    CHECK(log.find("smallest over the 2 ranks") == std::string::npos);  // the same table on both
}

TEST_CASE("a rank killed mid-run ends the job with a message and the rerun resumes to the same weights",
          "[dist][mpi]") {
    if (mpirun_path().empty()) {
        WARN("skipped: no MPI build or no mpirun");
        return;
    }
    const std::string dir = make_task_dir("dist_kill", 600);
    auto args = [&](const std::string& model) {
        auto a = dist_args(dir, model, 40);
        set_arg(a, "--save-freq", "3");
        return a;
    };
    REQUIRE(run_mpirun(2, args("straight.safetensors"), dir + "/straight.log") == 0);

    Job job(2, args("killed.safetensors"), dir + "/killed.log", "kill");
    REQUIRE(wait_for_text(dir + "/killed.safetensors.train.jsonl", "\"saved\"", 60));
    const pid_t victim = job.rank(1);
    if (victim > 0)
        kill(victim, SIGKILL);
    else
        WARN("the run finished before the kill");
    const int code = job.wait();
    const std::string log = file_bytes(dir + "/killed.log");
    INFO(log);
    if (log.find("training finished") == std::string::npos) {  // not already done when the kill came
        CHECK(code != 0);
        CHECK(log.find("rank 1") != std::string::npos);
        CHECK(log.find("exited on signal 9") != std::string::npos);
    }
    REQUIRE(run_mpirun(2, args("killed.safetensors"), dir + "/killed.log") == 0);
    CHECK(file_bytes(dir + "/killed.log").find("resuming from") != std::string::npos);
    CHECK(tensor_bytes(dir + "/killed.safetensors") == tensor_bytes(dir + "/straight.safetensors"));
}

TEST_CASE("a hung rank ends the job after dist-timeout, and SIGTERM to one rank stops all after a save",
          "[dist][mpi]") {
    if (mpirun_path().empty()) {
        WARN("skipped: no MPI build or no mpirun");
        return;
    }
    const std::string dir = make_task_dir("dist_hang", 600);
    SECTION("hung rank") {
        auto a = dist_args(dir, "hung.safetensors", 100000);
        set_arg(a, "--save-freq", "5");
        set_arg(a, "--dist-timeout", "3");
        Job job(2, a, dir + "/hung.log", "hang");
        REQUIRE(wait_for_text(dir + "/hung.safetensors.train.jsonl", "\"saved\"", 60));
        const pid_t victim = job.rank(1);
        REQUIRE(victim > 0);
        kill(victim, SIGSTOP);
        const auto t0 = std::chrono::steady_clock::now();
        const int code = job.wait();
        kill(victim, SIGKILL);  // in case mpirun left it stopped
        const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const std::string log = file_bytes(dir + "/hung.log");
        INFO(log);
        CHECK(code != 0);
        CHECK(waited < 60);
        CHECK(log.find("rank 0 of 2: waited 3 s for the other ranks") != std::string::npos);
        CHECK(load_safetensors(dir + "/hung.safetensors.state.safetensors").tensors.size() > 50);  // intact
    }
    SECTION("SIGTERM to rank 1") {
        const auto a = dist_args(dir, "term.safetensors", 100000);
        Job job(2, a, dir + "/term.log", "term");
        REQUIRE(wait_for_text(dir + "/term.safetensors.train.jsonl", "\"updates\":5,", 60));
        const pid_t rank1 = job.rank(1);
        REQUIRE(rank1 > 0);
        kill(rank1, SIGTERM);
        REQUIRE(job.wait() == deepnet::kExitStoppedBySignal);
        const std::string log = file_bytes(dir + "/term.log");
        INFO(log);
        CHECK(log.find("stopped by signal 15") != std::string::npos);
        const auto saved = json_field(dir + "/term.safetensors.train.jsonl", "event", "updates");
        REQUIRE(saved.size() == 1);
        auto more = a;
        set_arg(more, "--after-batches", std::to_string(std::stoi(saved[0]) + 2));
        REQUIRE(run_mpirun(2, more, dir + "/term.log") == 0);
        CHECK(file_bytes(dir + "/term.log").find("resumed at update " + saved[0]) != std::string::npos);
    }
}

TEST_CASE("an error on the ranks ends the job with the message and exit code 2", "[dist][mpi]") {
    if (mpirun_path().empty()) {
        WARN("skipped: no MPI build or no mpirun");
        return;
    }
    const std::string dir = make_task_dir("dist_error");
    REQUIRE(run_mpirun(2, dist_args(dir, "m.safetensors", 2), dir + "/a.log") == 0);
    auto changed = dist_args(dir, "m.safetensors", 4);
    set_arg(changed, "--enc-depth", "3");
    CHECK(run_mpirun(2, changed, dir + "/b.log") == 2);
    const std::string log = file_bytes(dir + "/b.log");
    INFO(log);
    CHECK(log.find("of 2: error: the model options differ") != std::string::npos);
}

TEST_CASE("a run saved by 2 sharded ranks resumes in one process and again in 2 ranks", "[dist][mpi]") {
    if (mpirun_path().empty()) {
        WARN("skipped: no MPI build or no mpirun");
        return;
    }
    const std::string dir = make_task_dir("dist_world");
    auto single = dist_args(dir, "single.safetensors", 8);
    single.insert(single.end(), {"--optimizer-delay", "2"});
    REQUIRE(train_with(single) == 0);
    auto first = dist_args(dir, "m.safetensors", 4);
    first.push_back("--optimizer-sharding");
    REQUIRE(run_mpirun(2, first, dir + "/m.log") == 0);
    auto then = dist_args(dir, "m.safetensors", 8);  // the same batches: 1 process x delay 2
    then.insert(then.end(), {"--optimizer-delay", "2"});
    REQUIRE(train_with(then) == 0);
    const TensorDiff d = compare_tensors(dir + "/single.safetensors", dir + "/m.safetensors", key_bias);
    INFO("worst tensor " << d.worst);
    CHECK(d.max_abs < 1e-5);
    REQUIRE(run_mpirun(2, dist_args(dir, "m.safetensors", 10), dir + "/m.log") == 0);
    const std::string log = file_bytes(dir + "/m.log");
    CHECK(log.find("resumed at update 8") != std::string::npos);
    CHECK(json_field(dir + "/m.safetensors.train.jsonl", "train", "loss").size() == 10);
}
