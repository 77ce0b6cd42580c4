// Loading NCCL at run time (see nccl_library.h).
#include "src/dist/nccl_library.h"

#ifdef DEEPNET_WITH_NCCL

#include <dlfcn.h>

#include <mutex>
#include <string>

#include "src/core/error.h"

namespace deepnet::dist {
namespace {

constexpr const char* kLibrary = "libnccl.so.2";

std::string why_not() {
    const char* e = dlerror();
    return e ? e : "unknown reason";
}

template <class F>
void bind(void* handle, const char* name, F& slot) {
    void* p = dlsym(handle, name);
    DEEPNET_USER_CHECK(p != nullptr, kLibrary << " has no " << name << " (" << why_not()
                                              << "): NCCL 2.7 or newer is needed");
    slot = reinterpret_cast<F>(p);
}

NcclLibrary load() {
    // Never closed: NCCL's threads and the communicators live until the process ends.
    void* h = dlopen(kLibrary, RTLD_NOW | RTLD_LOCAL);
    DEEPNET_USER_CHECK(h != nullptr, "NCCL is needed for --distributed-backend nccl (or auto with several GPU "
                                     "ranks), but "
                                         << kLibrary << " cannot be loaded (" << why_not()
                                         << "): install it (Debian: libnccl2) or add its folder to "
                                            "LD_LIBRARY_PATH; --distributed-backend mpi works without it");
    NcclLibrary l{};
    bind(h, "ncclGetUniqueId", l.get_unique_id);
    bind(h, "ncclCommInitRank", l.comm_init_rank);
    bind(h, "ncclCommDestroy", l.comm_destroy);
    bind(h, "ncclCommAbort", l.comm_abort);
    bind(h, "ncclCommGetAsyncError", l.comm_get_async_error);
    bind(h, "ncclGetErrorString", l.get_error_string);
    bind(h, "ncclAllReduce", l.all_reduce);
    bind(h, "ncclBroadcast", l.broadcast);
    bind(h, "ncclReduce", l.reduce);
    bind(h, "ncclReduceScatter", l.reduce_scatter);
    bind(h, "ncclAllGather", l.all_gather);
    bind(h, "ncclSend", l.send);
    bind(h, "ncclRecv", l.recv);
    bind(h, "ncclGroupStart", l.group_start);
    bind(h, "ncclGroupEnd", l.group_end);
    return l;
}

}  // namespace

const NcclLibrary& nccl_library() {
    // A failed load throws out of the initialiser, so the next call tries again.
    static const NcclLibrary library = load();
    return library;
}

}  // namespace deepnet::dist

#endif
