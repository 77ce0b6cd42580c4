// Choosing the communicator from the launcher's environment, and the ZeRO shard plan.
#include "src/dist/communicator.h"

#include <algorithm>
#include <cstdlib>
#include <initializer_list>
#include <string>

#include "src/core/error.h"
#include "src/dist/comm_mpi.h"
#include "src/dist/comm_single.h"

namespace deepnet::dist {

ShardPlan shard_plan(int64_t n, int world, int64_t align) {
    DEEPNET_CHECK(n >= 0 && world >= 1 && align >= 1, "shard_plan(" << n << ", " << world << ", " << align << ")");
    const int64_t per = (n / world + align - 1) / align * align;  // rounded up to the alignment
    ShardPlan p;
    for (int r = 0; r < world; ++r) {
        const int64_t begin = std::min<int64_t>(n, r * per);
        const int64_t end = r == world - 1 ? n : std::min<int64_t>(n, (r + 1) * per);
        p.offset.push_back(begin);
        p.count.push_back(end - begin);
    }
    return p;
}

namespace {

// The first of the launcher's variables that is set; it must hold a whole number in [lo, hi]
// (a damaged one is an error: guessing 1 rank would let every rank write the same files).
int first_launcher_number(std::initializer_list<const char*> vars, long lo, long hi, int fallback) {
    for (const char* var : vars) {
        const char* v = std::getenv(var);
        if (!v || !*v) continue;
        char* end = nullptr;
        const long n = std::strtol(v, &end, 10);
        DEEPNET_USER_CHECK(*end == '\0' && n >= lo && n <= hi,
                           "the launcher's " << var << "=" << v << " is not a number from " << lo << " to " << hi
                                             << ": start the job with mpirun (or unset it)");
        return int(n);
    }
    return fallback;
}

constexpr long kMaxRanks = 1L << 20;

}  // namespace

int launcher_world_size() {
    return first_launcher_number({"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"}, 1, kMaxRanks, 1);
}

int launcher_local_rank(int fallback) {
    return first_launcher_number({"OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "SLURM_LOCALID"}, 0,
                                 kMaxRanks - 1, fallback);
}

bool built_with_mpi() {
#ifdef DEEPNET_WITH_MPI
    return true;
#else
    return false;
#endif
}

bool built_with_nccl() {
#ifdef DEEPNET_WITH_NCCL
    return true;
#else
    return false;
#endif
}

std::unique_ptr<Communicator> make_communicator() {
    const int world = launcher_world_size();
    if (world <= 1) return std::make_unique<SingleCommunicator>();
    DEEPNET_USER_CHECK(built_with_mpi(),
                       "launched by mpirun with "
                           << world
                           << " ranks, but this deepnet was built without MPI, "
                              "so every rank would train alone and overwrite the others' files: install "
                              "libopenmpi-dev (scripts/setup.sh does) and rebuild (cmake -DDEEPNET_MPI=ON)");
    return make_mpi_communicator();
}

}  // namespace deepnet::dist
