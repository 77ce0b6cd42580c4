// A communicator for in-process tests: rank 0 of a pretend 2-rank job, whose collectives a
// test overrides; every one it does not override fails the test if called (catch2).
#pragma once

#include <catch2/catch.hpp>

#include <string>

#include "src/core/error.h"
#include "src/dist/communicator.h"

namespace deepnet::test {

class FakeCommunicator : public dist::Communicator {
public:
    int rank() const override { return 0; }
    int size() const override { return 2; }
    void set_timeout(double) override {}
    void all_reduce_sum(float*, int64_t) override { FAIL("all_reduce_sum(float) not expected"); }
    void all_reduce_sum(double*, int64_t) override { FAIL("all_reduce_sum(double) not expected"); }
    void all_reduce_max(double*, int64_t) override { FAIL("all_reduce_max not expected"); }
    void broadcast(void*, int64_t, int, bool) override { FAIL("broadcast not expected"); }
    void barrier(bool) override {}
    void reduce_scatter_sum(const float*, float*, const dist::ShardPlan&) override { FAIL("reduce_scatter not expected"); }
    void all_gather(float*, const dist::ShardPlan&) override { FAIL("all_gather not expected"); }
    void gather(const float*, float*, const dist::ShardPlan&, int) override { FAIL("gather not expected"); }
    [[noreturn]] void abort(const std::string& message, int) override { throw Error(message); }
};

}  // namespace deepnet::test
