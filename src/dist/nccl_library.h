// NCCL, loaded at run time (dlopen "libnccl.so.2") instead of linked: one deepnet binary
// runs on machines without NCCL (single-GPU and CPU training never touch it) and finds the
// library where the machine keeps it (Debian's libnccl2, the CUDA toolkit, or the
// nvidia-nccl wheel of a PyTorch install, through LD_LIBRARY_PATH). Built only with
// DEEPNET_WITH_NCCL (nccl.h is needed at build time for the types).
#pragma once

#ifdef DEEPNET_WITH_NCCL

#include <nccl.h>

namespace deepnet::dist {

// The NCCL entry points deepnet uses.
struct NcclLibrary {
    decltype(&ncclGetUniqueId) get_unique_id;
    decltype(&ncclCommInitRank) comm_init_rank;
    decltype(&ncclCommDestroy) comm_destroy;
    decltype(&ncclCommAbort) comm_abort;
    decltype(&ncclCommGetAsyncError) comm_get_async_error;
    decltype(&ncclGetErrorString) get_error_string;
    decltype(&ncclAllReduce) all_reduce;
    decltype(&ncclBroadcast) broadcast;
    decltype(&ncclReduce) reduce;
    decltype(&ncclReduceScatter) reduce_scatter;
    decltype(&ncclAllGather) all_gather;
    decltype(&ncclSend) send;
    decltype(&ncclRecv) recv;
    decltype(&ncclGroupStart) group_start;
    decltype(&ncclGroupEnd) group_end;
};

// Loads the library on first use; a UserError naming the library and what to install when
// it or one of its symbols is missing (the message of dlerror included).
const NcclLibrary& nccl_library();

}  // namespace deepnet::dist

#endif
