// The communicator of a single process (world size 1): every collective is the identity.
#pragma once

#include "src/dist/communicator.h"

namespace deepnet::dist {

class SingleCommunicator final : public Communicator {
public:
    int rank() const override { return 0; }
    int size() const override { return 1; }
    std::string backend() const override { return "single"; }
    void set_timeout(double) override {}
    void all_reduce_sum(float*, int64_t) override {}
    void all_reduce_sum(double*, int64_t) override {}
    void all_reduce_max(double*, int64_t) override {}
    void broadcast(void*, int64_t, int, bool) override {}
    void barrier(bool) override {}
    void reduce_scatter_sum(const float* full, float* mine, const ShardPlan& plan) override;
    void all_gather(float*, const ShardPlan&) override {}
    void gather(const float* mine, float* full, const ShardPlan& plan, int root) override;
    [[noreturn]] void abort(const std::string& message, int code) override;
};

}  // namespace deepnet::dist
