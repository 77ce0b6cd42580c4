// NCCL communicator (see comm_nccl.h). Host code: compiled by the C++ compiler against
// nccl.h and the CUDA runtime, no kernels; NCCL itself is loaded at run time
// (nccl_library.h). Uneven shards (the last ZeRO shard is shorter)
// use grouped ncclReduce / ncclBroadcast / ncclSend-ncclRecv, even ones the fused
// ncclReduceScatter / ncclAllGather.
#include "src/dist/comm_nccl.h"

#include "src/core/error.h"
#include "src/dist/nccl_library.h"

#ifdef DEEPNET_WITH_NCCL

#include <cuda_runtime.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#define CUDA_CHECK(call)                                                                                \
    do {                                                                                                \
        const cudaError_t cuda_rc_ = (call);                                                            \
        if (cuda_rc_ != cudaSuccess)                                                                    \
            ::deepnet::detail::throw_check(__FILE__, __LINE__, #call,                                   \
                                           std::string("CUDA error: ") + cudaGetErrorString(cuda_rc_)); \
    } while (0)

#define NCCL_CHECK(call)                                                                                \
    do {                                                                                                \
        const ncclResult_t nccl_rc_ = (call);                                                           \
        if (nccl_rc_ != ncclSuccess)                                                                    \
            ::deepnet::detail::throw_check(__FILE__, __LINE__, #call,                                   \
                                           std::string("NCCL error: ") + lib_.get_error_string(nccl_rc_)); \
    } while (0)

namespace deepnet::dist {
namespace {

bool even(const ShardPlan& p) {
    for (size_t r = 0; r < p.count.size(); ++r)
        if (p.count[r] != p.count[0] || p.offset[r] != int64_t(r) * p.count[0]) return false;
    return true;
}

class NcclCommunicator final : public Communicator {
public:
    NcclCommunicator(Communicator& bootstrap, int device, cudaStream_t compute)
        : lib_(nccl_library()), boot_(bootstrap), compute_(compute) {
        CUDA_CHECK(cudaSetDevice(device));
        ncclUniqueId id{};
        if (boot_.rank() == 0) NCCL_CHECK(lib_.get_unique_id(&id));
        boot_.broadcast(&id, sizeof(id), 0, true);
        NCCL_CHECK(lib_.comm_init_rank(&comm_, boot_.size(), id, boot_.rank()));
        CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
        CUDA_CHECK(cudaEventCreateWithFlags(&computed_, cudaEventDisableTiming));
    }
    ~NcclCommunicator() override {
        cudaStreamSynchronize(stream_);
        lib_.comm_destroy(comm_);
        cudaEventDestroy(computed_);
        cudaStreamDestroy(stream_);
    }

    int rank() const override { return boot_.rank(); }
    int size() const override { return boot_.size(); }
    std::string backend() const override { return "nccl"; }
    void set_timeout(double seconds) override {
        timeout_ = seconds;
        boot_.set_timeout(seconds);
    }
    void set_signal_probe(std::function<int()> probe) override { boot_.set_signal_probe(std::move(probe)); }

    void all_reduce_sum(float* d, int64_t n) override { all_reduce(d, n, ncclFloat, ncclSum); }
    void all_reduce_sum(double* d, int64_t n) override { all_reduce(d, n, ncclDouble, ncclSum); }
    void all_reduce_max(double* d, int64_t n) override { all_reduce(d, n, ncclDouble, ncclMax); }

    void start_all_reduce_sum(float* d, int64_t n) override {
        after_compute();
        NCCL_CHECK(lib_.all_reduce(d, d, size_t(n), ncclFloat, ncclSum, comm_, stream_));
    }
    void wait_reductions() override { wait("all-reduce of the gradient", false); }

    void broadcast(void* d, int64_t bytes, int root, bool patient) override {
        after_compute();
        NCCL_CHECK(lib_.broadcast(d, d, size_t(bytes), ncclUint8, root, comm_, stream_));
        wait("broadcast", patient);
    }

    void barrier(bool patient) override {
        wait("barrier", patient);
        boot_.barrier(patient);
    }

    void reduce_scatter_sum(const float* full, float* mine, const ShardPlan& p) override {
        after_compute();
        if (even(p)) {
            NCCL_CHECK(lib_.reduce_scatter(full, mine, size_t(p.count[0]), ncclFloat, ncclSum, comm_, stream_));
        } else {
            NCCL_CHECK(lib_.group_start());
            for (int r = 0; r < size(); ++r)
                NCCL_CHECK(lib_.reduce(full + p.offset[size_t(r)], r == rank() ? mine : nullptr,
                                      size_t(p.count[size_t(r)]), ncclFloat, ncclSum, r, comm_, stream_));
            NCCL_CHECK(lib_.group_end());
        }
        wait("reduce-scatter of the gradient", false);
    }

    void all_gather(float* d, const ShardPlan& p) override {
        after_compute();
        if (even(p)) {
            const size_t c = size_t(p.count[0]);
            NCCL_CHECK(lib_.all_gather(d + size_t(rank()) * c, d, c, ncclFloat, comm_, stream_));  // in place
        } else {
            NCCL_CHECK(lib_.group_start());
            for (int r = 0; r < size(); ++r) {
                float* shard = d + p.offset[size_t(r)];
                NCCL_CHECK(lib_.broadcast(shard, shard, size_t(p.count[size_t(r)]), ncclFloat, r, comm_, stream_));
            }
            NCCL_CHECK(lib_.group_end());
        }
        wait("all-gather of the weights", false);
    }

    void gather(const float* mine, float* full, const ShardPlan& p, int root) override {
        const size_t me = size_t(rank());
        after_compute();
        NCCL_CHECK(lib_.group_start());
        if (rank() == root) {
            for (int r = 0; r < size(); ++r) {
                float* dst = full + p.offset[size_t(r)];
                const size_t c = size_t(p.count[size_t(r)]);
                if (r == root)
                    CUDA_CHECK(cudaMemcpyAsync(dst, mine, c * sizeof(float), cudaMemcpyDeviceToDevice, stream_));
                else if (c > 0)
                    NCCL_CHECK(lib_.recv(dst, c, ncclFloat, r, comm_, stream_));
            }
        } else if (p.count[me] > 0) {
            NCCL_CHECK(lib_.send(mine, size_t(p.count[me]), ncclFloat, root, comm_, stream_));
        }
        NCCL_CHECK(lib_.group_end());
        wait("gather of the optimizer state", false);
    }

    [[noreturn]] void abort(const std::string& message, int code) override {
        lib_.comm_abort(comm_);
        boot_.abort(message, code);
        std::_Exit(code);  // not reached
    }

private:
    // The communicator's stream waits for everything queued on the compute stream so far.
    void after_compute() {
        CUDA_CHECK(cudaEventRecord(computed_, compute_));
        CUDA_CHECK(cudaStreamWaitEvent(stream_, computed_, 0));
    }

    void all_reduce(void* d, int64_t n, ncclDataType_t type, ncclRedOp_t op) {
        after_compute();
        NCCL_CHECK(lib_.all_reduce(d, d, size_t(n), type, op, comm_, stream_));
        wait("all-reduce", false);
    }

    // Until the stream has run the collective; NCCL's asynchronous errors and the timeout end the job.
    void wait(const char* what, bool patient) {
        const auto t0 = std::chrono::steady_clock::now();
        for (int64_t polls = 0;; ++polls) {
            const cudaError_t e = cudaStreamQuery(stream_);
            if (e == cudaSuccess) return;
            if (e != cudaErrorNotReady) CUDA_CHECK(e);
            ncclResult_t async = ncclSuccess;
            NCCL_CHECK(lib_.comm_get_async_error(comm_, &async));
            NCCL_CHECK(async);
            const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            if (!patient && timeout_ > 0 && waited > timeout_) {
                std::fprintf(stderr,
                             "deepnet: error: rank %d of %d: waited %.0f s for the other GPUs in %s; ending "
                             "the job (exit code 4), the last complete checkpoint is intact.\n",
                             rank(), size(), waited, what);
                std::fflush(stderr);
                lib_.comm_abort(comm_);
                std::_Exit(4);
            }
            if (polls > 1000) std::this_thread::sleep_for(std::chrono::microseconds(50));
        }
    }

    const NcclLibrary& lib_;  // NCCL, loaded at run time
    Communicator& boot_;
    ncclComm_t comm_ = nullptr;
    cudaStream_t compute_ = nullptr;  // the model's stream (not ours)
    cudaStream_t stream_ = nullptr;
    cudaEvent_t computed_ = nullptr;
    double timeout_ = 0;
};

}  // namespace

std::unique_ptr<Communicator> make_nccl_communicator(Communicator& bootstrap, int device, void* compute_stream) {
    return std::make_unique<NcclCommunicator>(bootstrap, device, static_cast<cudaStream_t>(compute_stream));
}

}  // namespace deepnet::dist

#else  // no NCCL in this build

namespace deepnet::dist {

std::unique_ptr<Communicator> make_nccl_communicator(Communicator&, int, void*) {
    throw UserError(
        "this deepnet was built without NCCL (cmake -DDEEPNET_NCCL=ON needs the CUDA toolkit, NCCL "
        "and MPI)");
}

}  // namespace deepnet::dist

#endif
