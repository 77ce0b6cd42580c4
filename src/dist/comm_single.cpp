// Single-process communicator (see comm_single.h).
#include "src/dist/comm_single.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace deepnet::dist {

void SingleCommunicator::reduce_scatter_sum(const float* full, float* mine, const ShardPlan& plan) {
    if (plan.count[0] > 0 && full != mine)
        std::memmove(mine, full + plan.offset[0], size_t(plan.count[0]) * sizeof(float));
}

void SingleCommunicator::gather(const float* mine, float* full, const ShardPlan& plan, int) {
    if (plan.count[0] > 0 && full != mine)
        std::memmove(full + plan.offset[0], mine, size_t(plan.count[0]) * sizeof(float));
}

void SingleCommunicator::abort(const std::string& message, int code) {
    std::fprintf(stderr, "deepnet: %s\n", message.c_str());
    std::fflush(stderr);
    std::exit(code);
}

}  // namespace deepnet::dist
