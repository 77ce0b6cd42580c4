// Data-parallel hooks of the trainer (see data_parallel.h).
#include "src/dist/data_parallel.h"

#include <algorithm>

#include <cstdio>
#include <cstring>

#include "src/core/device_memory.h"
#include "src/dist/comm_nccl.h"

namespace deepnet::dist {
namespace {

double since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// FNV-1a-style hash over the bit patterns, 4 independent lanes (fast: a save of a
// 3.8B-parameter model hashes 15 GB), mixed at the end: a fingerprint of the weights.
uint64_t fingerprint(FlatView<float> v) {
    uint64_t h[4] = {1469598103934665603ull, 7809847782465536322ull, 3141592653589793238ull, 2718281828459045235ull};
    const size_t n = v.size();
    for (size_t i = 0; i < n; ++i) {
        uint32_t b;
        std::memcpy(&b, &v[i], sizeof(b));
        h[i & 3] = (h[i & 3] ^ b) * 1099511628211ull;
    }
    return ((h[0] * 31 + h[1]) * 31 + h[2]) * 31 + h[3] + n;
}

}  // namespace

DataParallel::DataParallel(const DistConfig& cfg, std::function<int()> signal_probe)
    : DataParallel(make_communicator(), cfg, std::move(signal_probe)) {}

DataParallel::DataParallel(std::unique_ptr<Communicator> comm, const DistConfig& cfg, std::function<int()> signal_probe)
    : comm_(std::move(comm)), buffers_(comm_.get()), cfg_(cfg) {
    comm_->set_timeout(double(cfg.timeout_seconds));
    if (signal_probe) comm_->set_signal_probe(std::move(signal_probe));
}

DataParallel::~DataParallel() = default;

void DataParallel::use_device(const Device& device, void* stream, bool nccl_usable) {
    const bool gpu = device.kind == DeviceKind::CUDA;
    DEEPNET_USER_CHECK(cfg_.backend != "nccl" || gpu,
                       "--distributed-backend nccl reduces GPU buffers: give --devices, or use mpi for CPU ranks");
    DEEPNET_USER_CHECK(cfg_.backend != "nccl" || nccl_usable,
                       "--distributed-backend nccl: the emulated GPU has no NCCL; use --distributed-backend mpi");
    DEEPNET_USER_CHECK(!gpu || !sharded(), "--optimizer-sharding on GPU ranks is not supported yet (the sharded "
                                           "AdamW runs on host buffers): leave it out, each GPU then keeps the "
                                           "whole Adam moments");
    const bool nccl = cfg_.backend == "nccl" ||
                      (cfg_.backend == "auto" && gpu && world() > 1 && nccl_usable && built_with_nccl());
    if (nccl) {
        nccl_ = make_nccl_communicator(*comm_, device.index, stream);
        nccl_->set_timeout(double(cfg_.timeout_seconds));
        buffers_ = nccl_.get();
    } else {
        staged_ = gpu && world() > 1;
    }
}

std::string DataParallel::buffer_backend() const {
    return buffers_->backend() + (staged_ ? ", through host memory" : "");
}

void DataParallel::start(FlatView<float> params, const std::vector<int64_t>& progress) {
    if (!active()) return;
    std::vector<int64_t> mine = progress, root_progress = progress;
    comm_->broadcast(root_progress.data(), int64_t(root_progress.size() * sizeof(int64_t)), 0, true);
    DEEPNET_USER_CHECK(mine == root_progress,
                       "rank " << rank()
                               << " starts from another training state than rank 0 (update counts "
                                  "or data positions differ): every rank must see the same --model files");
    if (staged_) {
        std::vector<float> host = params.to_vector();
        comm_->broadcast(host.data(), int64_t(host.size() * sizeof(float)), 0, false);
        params.assign(host);
    } else {
        buffers_->broadcast(params.data(), int64_t(params.size() * sizeof(float)), 0, false);
    }
    start_ = std::chrono::steady_clock::now();
}

void DataParallel::start_sum(FlatView<float> grad, int64_t begin, int64_t end) {
    if (!staged_) {
        buffers_->start_all_reduce_sum(grad.data() + begin, end - begin);
        return;
    }
    if (host_grad_.size() != grad.size()) host_grad_.assign(grad.size(), 0.f);
    // Waits for the kernels that wrote the bucket (device_copy is stream-ordered).
    device_copy(Device{}, host_grad_.data() + begin, grad.device(), grad.data() + begin,
                size_t(end - begin) * sizeof(float));
    comm_->start_all_reduce_sum(host_grad_.data() + begin, end - begin);
}

std::function<void(int64_t, int64_t)> DataParallel::overlap_hook(FlatView<float> grad) {
    if (!active() || sharded()) return nullptr;
    return [this, grad](int64_t begin, int64_t end) {  // the view by value: it outlives this call
        const auto t0 = std::chrono::steady_clock::now();
        buffers_->progress();  // let the buckets started earlier advance
        start_sum(grad, begin, end);
        started_.emplace_back(begin, end);
        comm_seconds_ += since(t0);
    };
}

void DataParallel::reduce(FlatView<float> grad, UpdateSums& sums) {
    if (!active()) return;
    const auto t0 = std::chrono::steady_clock::now();
    if (!sharded()) {
        // The gaps between the started buckets, in order (every rank started the same ones).
        std::sort(started_.begin(), started_.end());
        int64_t at = 0;
        for (const auto& [begin, end] : started_) {
            if (begin > at) start_sum(grad, at, begin);
            at = std::max(at, end);
        }
        if (at < int64_t(grad.size())) start_sum(grad, at, int64_t(grad.size()));
        started_.clear();
    }
    // Token and sentence counts stay exact in double up to 2^53.
    double s[4] = {sums.loss, sums.nll, double(sums.tokens), double(sums.sentences)};
    comm_->all_reduce_sum(s, 4);
    sums = UpdateSums{s[0], s[1], int64_t(s[2]), int64_t(s[3])};
    if (!sharded()) {
        buffers_->wait_reductions();
        if (staged_) device_copy(grad.device(), grad.data(), Device{}, host_grad_.data(), grad.size() * sizeof(float));
    }
    comm_->wait_reductions();
    comm_seconds_ += since(t0);
    ++updates_;
}

UpdateInfo DataParallel::sharded_step(FlatView<float> params, FlatView<float> grad, double lr,
                                      double grad_scale, int64_t& steps) {
    DEEPNET_CHECK(adam_ != nullptr, "sharded_step without init_sharding");
    const auto t0 = std::chrono::steady_clock::now();
    const UpdateInfo r = adam_->step(params.data(), grad.data(), lr, grad_scale, steps);
    comm_seconds_ += since(t0);  // the shard update is in here too: it is 1/world of AdamW
    return r;
}

void DataParallel::init_sharding(std::vector<float>& m, std::vector<float>& v, int64_t n, const AdamConfig& hyper) {
    if (!sharded()) return;
    adam_ = std::make_unique<ShardedAdam>(*comm_, n, hyper);
    adam_->load(m, v);
}

void DataParallel::gather_moments(std::vector<float>& m, std::vector<float>& v) {
    DEEPNET_CHECK(adam_ != nullptr, "gather_moments without init_sharding");
    adam_->gather(m, v);
}

void DataParallel::check_same(FlatView<float> params) {
    if (world() == 1) return;
    uint64_t mine = 0;
    if (params.device().kind == DeviceKind::CPU) {
        mine = fingerprint(params);
    } else {
        std::vector<float> host = params.to_vector();
        mine = fingerprint(FlatView<float>(host));
    }
    uint64_t root_value = mine;
    comm_->broadcast(&root_value, sizeof(root_value), 0, !root());
    DEEPNET_CHECK(mine == root_value, "the weights on rank " << rank()
                                                             << " differ from rank 0's: the ranks "
                                                                "diverged (non-deterministic all-reduce?)");
}

int64_t DataParallel::max_over_ranks(int64_t x) {
    if (world() == 1) return x;
    double v = double(x);
    comm_->all_reduce_max(&v, 1);
    return int64_t(v);
}

void DataParallel::min_over_ranks(std::vector<int64_t>& xs) {
    if (world() == 1 || xs.empty()) return;
    std::vector<double> neg(xs.size());
    for (size_t i = 0; i < xs.size(); ++i) neg[i] = -double(xs[i]);
    comm_->all_reduce_max(neg.data(), int64_t(neg.size()));
    for (size_t i = 0; i < xs.size(); ++i) xs[i] = int64_t(-neg[i]);
}

// Patient on the ranks that wait for rank 0; rank 0 itself waits only for the others to arrive.
void DataParallel::share_from_root(int64_t& x) {
    comm_->broadcast(&x, sizeof(x), 0, !root());
}

void DataParallel::wait_for_root() {
    comm_->barrier(!root());
}

std::string DataParallel::summary() const {
    if (!active() || updates_ == 0) return "";
    char line[256];
    const double total = since(start_);
    std::snprintf(line, sizeof(line), "%d ranks (%s%s): communication %.1f ms per update, %.1f %% of the training time",
                  world(), buffer_backend().c_str(), sharded() ? ", optimizer-sharding" : "",
                  1e3 * comm_seconds_ / double(updates_), 100.0 * comm_seconds_ / std::max(total, 1e-9));
    return line;
}

}  // namespace deepnet::dist
