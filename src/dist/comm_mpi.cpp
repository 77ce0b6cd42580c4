// MPI communicator (see comm_mpi.h). Large buffers go in chunks of at most 2^30 elements
// (MPI counts are int). Errors return (MPI_ERRORS_RETURN) and become deepnet::Error with
// MPI's text, so the trainer's guard can print them and abort the job.
#include "src/dist/comm_mpi.h"

#include "src/core/error.h"

#ifdef DEEPNET_WITH_MPI

#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "src/dist/watchdog.h"

#define MPI_CHECK(call)                                                                            \
    do {                                                                                           \
        const int mpi_rc_ = (call);                                                                \
        if (mpi_rc_ != MPI_SUCCESS) ::deepnet::dist::mpi_fail(__FILE__, __LINE__, #call, mpi_rc_); \
    } while (0)

namespace deepnet::dist {

[[noreturn]] void mpi_fail(const char* file, int line, const char* call, int rc) {
    char text[MPI_MAX_ERROR_STRING] = {0};
    int len = 0;
    MPI_Error_string(rc, text, &len);
    detail::throw_check(file, line, call, "MPI error: " + std::string(text, size_t(len)));
}

namespace {

constexpr int64_t kChunk = int64_t(1) << 30;

std::vector<int> to_int(const std::vector<int64_t>& v, const char* what) {
    std::vector<int> out;
    for (int64_t x : v) {
        DEEPNET_CHECK(x <= INT_MAX, what << " of " << x
                                         << " elements exceeds one MPI call's int count; use "
                                            "more ranks or no optimizer-sharding");
        out.push_back(int(x));
    }
    return out;
}

class MpiCommunicator final : public Communicator {
public:
    MpiCommunicator() {
        int initialised = 0;
        MPI_CHECK(MPI_Initialized(&initialised));
        if (!initialised) {
            int provided = 0;
            MPI_CHECK(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided));
            owns_mpi_ = true;
        }
        MPI_CHECK(MPI_Comm_dup(MPI_COMM_WORLD, &comm_));
        MPI_CHECK(MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN));
        MPI_CHECK(MPI_Comm_rank(comm_, &rank_));
        MPI_CHECK(MPI_Comm_size(comm_, &size_));
        watchdog_ = std::make_unique<Watchdog>("rank " + std::to_string(rank_) + " of " + std::to_string(size_));
    }
    ~MpiCommunicator() override {
        int finalised = 0;
        MPI_Finalized(&finalised);
        if (finalised) return;
        MPI_Comm_free(&comm_);
        if (owns_mpi_) MPI_Finalize();
    }

    int rank() const override { return rank_; }
    int size() const override { return size_; }
    std::string backend() const override { return "mpi"; }
    void set_timeout(double seconds) override { watchdog_->set_timeout(seconds); }
    void set_signal_probe(std::function<int()> probe) override { watchdog_->set_signal_probe(std::move(probe)); }

    void all_reduce_sum(float* data, int64_t n) override { all_reduce(data, n, MPI_FLOAT, MPI_SUM); }
    void all_reduce_sum(double* data, int64_t n) override { all_reduce(data, n, MPI_DOUBLE, MPI_SUM); }
    void all_reduce_max(double* data, int64_t n) override { all_reduce(data, n, MPI_DOUBLE, MPI_MAX); }

    void start_all_reduce_sum(float* data, int64_t n) override {
        for (int64_t at = 0; at < n; at += kChunk) {
            pending_.emplace_back();
            MPI_CHECK(MPI_Iallreduce(MPI_IN_PLACE, data + at, int(std::min(kChunk, n - at)), MPI_FLOAT, MPI_SUM,
                                     comm_, &pending_.back()));
        }
    }

    void progress() override {
        if (pending_.empty()) return;
        int done = 0;
        MPI_CHECK(MPI_Testall(int(pending_.size()), pending_.data(), &done, MPI_STATUSES_IGNORE));
        if (done) pending_.clear();
    }

    void wait_reductions() override {
        if (pending_.empty()) return;
        Watchdog::Scope watch(*watchdog_, "all-reduce of the gradient buckets");
        MPI_CHECK(MPI_Waitall(int(pending_.size()), pending_.data(), MPI_STATUSES_IGNORE));
        pending_.clear();
    }

    void broadcast(void* data, int64_t bytes, int root, bool patient) override {
        Watchdog::Scope watch(*watchdog_, "broadcast", !patient);
        char* p = static_cast<char*>(data);
        for (int64_t at = 0; at < bytes; at += kChunk)
            MPI_CHECK(MPI_Bcast(p + at, int(std::min(kChunk, bytes - at)), MPI_BYTE, root, comm_));
    }

    void barrier(bool patient) override {
        Watchdog::Scope watch(*watchdog_, "barrier", !patient);
        MPI_CHECK(MPI_Barrier(comm_));
    }

    void reduce_scatter_sum(const float* full, float* mine, const ShardPlan& plan) override {
        Watchdog::Scope watch(*watchdog_, "reduce-scatter of the gradient");
        const std::vector<int> counts = to_int(plan.count, "a shard");
        MPI_CHECK(MPI_Reduce_scatter(full, mine, counts.data(), MPI_FLOAT, MPI_SUM, comm_));
    }

    void all_gather(float* data, const ShardPlan& plan) override {
        Watchdog::Scope watch(*watchdog_, "all-gather of the weights");
        const std::vector<int> counts = to_int(plan.count, "a shard"), displs = to_int(plan.offset, "a shard offset");
        MPI_CHECK(
            MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, data, counts.data(), displs.data(), MPI_FLOAT, comm_));
    }

    void gather(const float* mine, float* full, const ShardPlan& plan, int root) override {
        Watchdog::Scope watch(*watchdog_, "gather of the optimizer state");
        const std::vector<int> counts = to_int(plan.count, "a shard"), displs = to_int(plan.offset, "a shard offset");
        MPI_CHECK(MPI_Gatherv(mine, counts[size_t(rank_)], MPI_FLOAT, full, counts.data(), displs.data(), MPI_FLOAT,
                              root, comm_));
    }

    [[noreturn]] void abort(const std::string& message, int code) override {
        std::fprintf(stderr, "deepnet: rank %d of %d: %s\n", rank_, size_, message.c_str());
        std::fflush(stderr);
        MPI_Abort(MPI_COMM_WORLD, code);
        std::_Exit(code);
    }

private:
    void all_reduce(void* data, int64_t n, MPI_Datatype type, MPI_Op op) {
        Watchdog::Scope watch(*watchdog_, "all-reduce");
        int elem = 0;
        MPI_CHECK(MPI_Type_size(type, &elem));
        char* p = static_cast<char*>(data);
        for (int64_t at = 0; at < n; at += kChunk)
            MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, p + at * elem, int(std::min(kChunk, n - at)), type, op, comm_));
    }

    MPI_Comm comm_ = MPI_COMM_NULL;
    std::vector<MPI_Request> pending_;  // started non-blocking reductions
    int rank_ = 0, size_ = 1;
    bool owns_mpi_ = false;
    std::unique_ptr<Watchdog> watchdog_;
};

}  // namespace

std::unique_ptr<Communicator> make_mpi_communicator() {
    return std::make_unique<MpiCommunicator>();
}

}  // namespace deepnet::dist

#else  // no MPI in this build

namespace deepnet::dist {

std::unique_ptr<Communicator> make_mpi_communicator() {
    throw UserError("this deepnet was built without MPI: install libopenmpi-dev and rebuild with -DDEEPNET_MPI=ON");
}

}  // namespace deepnet::dist

#endif
