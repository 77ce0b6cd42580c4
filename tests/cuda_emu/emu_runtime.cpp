// The emulated device (see emu.h): the block scheduler on fibers, the barriers, shared
// memory, and the runtime API on host memory (synchronous: a launch has finished when it
// returns, so streams and events only keep their handles).
//
// Schedule: DEEPNET_EMU_SCHEDULE=reverse resumes the threads of a block from the last to the
// first, so a missing barrier shows as a wrong result in at least one of the two orders.
#include <boost/context/fiber.hpp>
#include <omp.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "emu.h"

// Under AddressSanitizer every switch between stacks is announced, or ASan takes the fiber
// stacks for corruption of the thread's own.
#if defined(__SANITIZE_ADDRESS__)
#define DEEPNET_EMU_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DEEPNET_EMU_ASAN 1
#endif
#endif
#ifdef DEEPNET_EMU_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

namespace ctx = boost::context;

namespace deepnet_emu {
namespace {

constexpr size_t kStackBytes = size_t(64) << 10;
constexpr size_t kDefaultDynamicShared = size_t(48) << 10;
constexpr size_t kOptinShared = size_t(227) << 10;  // an H100's opt-in limit per block
constexpr size_t kDeviceBytes = size_t(16) << 30;   // what the emulated device reports

// Fiber stacks, reused by the blocks of one OS thread (allocation would dominate otherwise).
class StackPool {
public:
    ctx::stack_context allocate() {
        void* p = nullptr;
        if (!free_.empty()) {
            p = free_.back();
            free_.pop_back();
        } else {
            p = std::calloc(1, kStackBytes);
            if (!p) throw std::bad_alloc();
        }
        ctx::stack_context sc;
        sc.size = kStackBytes;
        sc.sp = static_cast<char*>(p) + kStackBytes;
        return sc;
    }
    void deallocate(ctx::stack_context& sc) { free_.push_back(static_cast<char*>(sc.sp) - sc.size); }
    ~StackPool() {
        for (void* p : free_) std::free(p);
    }

private:
    std::vector<void*> free_;
};
thread_local StackPool t_stacks;
thread_local ctx::stack_context t_last_stack;  // the stack of the fiber created last

struct PooledStack {  // the StackAllocator concept of Boost.Context
    ctx::stack_context allocate() { return t_last_stack = t_stacks.allocate(); }
    void deallocate(ctx::stack_context& sc) { t_stacks.deallocate(sc); }
};

// A barrier of `live` participants; participants that return leave it (count as arrived).
struct Barrier {
    int live = 0, arrived = 0;
    uint64_t generation = 0;
};

struct Lane {
    uint3 tid{0, 0, 0};
    int linear = 0;
    ctx::fiber fiber, caller;
    bool done = false, waiting = false;
    ctx::stack_context stack;        // this thread's fiber stack
    const void* caller_bottom = nullptr;  // the scheduler's stack, for the switches back
    size_t caller_size = 0;
};

// Stack-switch announcements (no-ops without ASan). `fake` keeps ASan's fake stack of the
// context being left; null when that context ends.
void switch_to(void** fake, const void* bottom, size_t size) {
#ifdef DEEPNET_EMU_ASAN
    __sanitizer_start_switch_fiber(fake, bottom, size);
#else
    (void)fake, (void)bottom, (void)size;
#endif
}
void switched(void* fake, const void** from_bottom, size_t* from_size) {
#ifdef DEEPNET_EMU_ASAN
    __sanitizer_finish_switch_fiber(fake, from_bottom, from_size);
#else
    (void)fake, (void)from_bottom, (void)from_size;
#endif
}

struct Block {
    const void* kernel = nullptr;
    uint3 bid{0, 0, 0};
    dim3 bdim, gdim;
    std::vector<Lane> lanes;
    Barrier block;
    std::vector<Barrier> warps;
    std::vector<std::array<uint64_t, 32>> exchange;
    std::vector<unsigned char> dynamic;
    uint64_t progress = 0;  // barrier releases and returns: a sweep without any is a deadlock
};

thread_local Block* t_block = nullptr;
thread_local Lane* t_lane = nullptr;

std::mutex g_mutex;
cudaError_t g_last_error = cudaSuccess;
std::map<const void*, int> g_max_dynamic;  // per kernel, from cudaFuncSetAttribute
size_t g_allocated = 0;
int g_device = 0;

cudaError_t fail(cudaError_t e) {
    std::lock_guard<std::mutex> lock(g_mutex);
    g_last_error = e;
    return e;
}

bool reverse_schedule() {
    static const bool reverse = [] {
        const char* s = std::getenv("DEEPNET_EMU_SCHEDULE");
        return s && std::string(s) == "reverse";
    }();
    return reverse;
}

void yield() {
    Lane& l = *t_lane;
    void* fake = nullptr;
    switch_to(&fake, l.caller_bottom, l.caller_size);
    l.caller = std::move(l.caller).resume();
    switched(fake, &l.caller_bottom, &l.caller_size);
}

void release(Barrier& b, Block& blk) {
    b.arrived = 0;
    ++b.generation;
    ++blk.progress;
}

void wait(Barrier& b) {
    Block& blk = *t_block;
    const uint64_t g = b.generation;
    if (++b.arrived == b.live) {
        release(b, blk);
        return;
    }
    t_lane->waiting = true;
    while (b.generation == g) yield();
    t_lane->waiting = false;
}

void leave(Barrier& b, Block& blk) {
    --b.live;
    if (b.arrived > 0 && b.arrived == b.live) release(b, blk);
}

[[noreturn]] void deadlock(const Block& blk) {
    int alive = 0;
    for (const Lane& l : blk.lanes) alive += !l.done;
    std::fprintf(stderr,
                 "emulated CUDA: deadlock in kernel %p, block (%u, %u, %u): %d of %zu threads alive, "
                 "all waiting at a barrier that the others never reach (a __syncthreads or warp "
                 "intrinsic under a divergent branch?)\n",
                 blk.kernel, blk.bid.x, blk.bid.y, blk.bid.z, alive, blk.lanes.size());
    std::abort();
}

void run_block(Block& blk, const std::function<void()>& body) {
    const unsigned nt = blk.bdim.x * blk.bdim.y * blk.bdim.z;
    blk.lanes.clear();
    blk.lanes.resize(nt);
    const int nwarps = int((nt + 31) / 32);
    blk.block = Barrier{int(nt), 0, 0};
    blk.warps.assign(size_t(nwarps), Barrier{});
    for (int w = 0; w < nwarps; ++w) blk.warps[size_t(w)].live = std::min(32, int(nt) - 32 * w);
    blk.exchange.assign(size_t(nwarps), {});
    std::fill(blk.dynamic.begin(), blk.dynamic.end(), 0xFF);  // unwritten floats read as NaN
    for (unsigned i = 0; i < nt; ++i) {
        Lane& l = blk.lanes[i];
        l.linear = int(i);
        l.tid = {i % blk.bdim.x, (i / blk.bdim.x) % blk.bdim.y, i / (blk.bdim.x * blk.bdim.y)};
        l.fiber = ctx::fiber(std::allocator_arg, PooledStack(), [&blk, &body, &l](ctx::fiber&& caller) {
            switched(nullptr, &l.caller_bottom, &l.caller_size);
            l.caller = std::move(caller);
            body();
            l.done = true;
            leave(blk.block, blk);
            leave(blk.warps[size_t(l.linear / 32)], blk);
            ++blk.progress;
            switch_to(nullptr, l.caller_bottom, l.caller_size);  // this fiber ends
            return std::move(l.caller);
        });
        l.stack = t_last_stack;
    }
    t_block = &blk;
    for (;;) {
        const uint64_t before = blk.progress;
        bool any = false, all_waiting = true;
        for (unsigned k = 0; k < nt; ++k) {
            Lane& l = blk.lanes[reverse_schedule() ? nt - 1 - k : k];
            if (l.done) continue;
            any = true;
            t_lane = &l;
            void* fake = nullptr;
            switch_to(&fake, static_cast<char*>(l.stack.sp) - l.stack.size, l.stack.size);
            l.fiber = std::move(l.fiber).resume();
            switched(fake, nullptr, nullptr);
            all_waiting = all_waiting && !l.done && l.waiting;
        }
        if (!any) break;
        if (all_waiting && blk.progress == before) deadlock(blk);
    }
    t_lane = nullptr;
    t_block = nullptr;
}

}  // namespace

const uint3& thread_idx() { return t_lane->tid; }
const uint3& block_idx() { return t_block->bid; }
const dim3& block_dim() { return t_block->bdim; }
const dim3& grid_dim() { return t_block->gdim; }
int lane_id() { return t_lane->linear % 32; }
void syncthreads() { wait(t_block->block); }
void syncwarp() { wait(t_block->warps[size_t(t_lane->linear / 32)]); }
void* dynamic_shared() { return t_block->dynamic.data(); }

uint64_t warp_exchange(uint64_t mine, int src) {
    Block& blk = *t_block;
    const int w = t_lane->linear / 32;
    auto& slots = blk.exchange[size_t(w)];
    slots[size_t(t_lane->linear % 32)] = mine;
    wait(blk.warps[size_t(w)]);  // every live lane has published
    const int first = 32 * w, count = std::min<int>(32, int(blk.lanes.size()) - first);
    const bool valid = src >= 0 && src < count && !blk.lanes[size_t(first + src)].done;
    const uint64_t v = valid ? slots[size_t(src)] : mine;
    wait(blk.warps[size_t(w)]);  // every live lane has read before the slots are reused
    return v;
}

cudaError_t set_max_dynamic_shared(const void* kernel, int bytes) {
    if (bytes < 0 || size_t(bytes) > kOptinShared) return fail(cudaErrorInvalidValue);
    std::lock_guard<std::mutex> lock(g_mutex);
    g_max_dynamic[kernel] = bytes;
    return cudaSuccess;
}

void run_grid(const void* kernel, const LaunchConfig& c, const std::function<void()>& body) {
    const unsigned long long threads = 1ull * c.block.x * c.block.y * c.block.z;
    if (threads == 0 || threads > 1024 || c.grid.x == 0 || c.grid.y == 0 || c.grid.z == 0 || c.block.z > 64 ||
        c.grid.y > 65535 || c.grid.z > 65535) {
        fail(cudaErrorInvalidConfiguration);
        return;
    }
    size_t limit = kDefaultDynamicShared;
    {
        std::lock_guard<std::mutex> lock(g_mutex);
        auto it = g_max_dynamic.find(kernel);
        if (it != g_max_dynamic.end()) limit = std::max(limit, size_t(it->second));
    }
    if (c.smem > limit) {
        fail(cudaErrorInvalidValue);  // as the driver: above 48 KB only after cudaFuncSetAttribute
        return;
    }
    const long long blocks = 1ll * c.grid.x * c.grid.y * c.grid.z;
#pragma omp parallel
    {
        Block blk;
        blk.kernel = kernel;
        blk.bdim = c.block;
        blk.gdim = c.grid;
        blk.dynamic.resize(c.smem);
#pragma omp for schedule(dynamic, 1)
        for (long long b = 0; b < blocks; ++b) {
            blk.bid = {unsigned(b % c.grid.x), unsigned((b / c.grid.x) % c.grid.y), unsigned(b / (1ll * c.grid.x * c.grid.y))};
            run_block(blk, body);
        }
    }
}

}  // namespace deepnet_emu

using deepnet_emu::fail;

unsigned __ballot_sync(unsigned, int predicate) {
    const int lane = deepnet_emu::lane_id();
    unsigned bits = 0;
    for (int src = 0; src < 32; ++src) {
        const uint64_t p = deepnet_emu::warp_exchange(predicate ? 1u : 0u, src);
        if (src == lane ? predicate != 0 : p != 0) bits |= 1u << src;
    }
    return bits;
}

// ---- runtime API --------------------------------------------------------------------------
namespace {
struct Allocation {
    size_t bytes;
};
std::map<void*, Allocation> g_allocations;
}  // namespace

cudaError_t cudaMalloc(void** p, size_t bytes) {
    std::lock_guard<std::mutex> lock(deepnet_emu::g_mutex);
    if (bytes > deepnet_emu::kDeviceBytes - deepnet_emu::g_allocated) {
        deepnet_emu::g_last_error = cudaErrorMemoryAllocation;
        return cudaErrorMemoryAllocation;
    }
    void* q = std::aligned_alloc(256, (std::max<size_t>(bytes, 1) + 255) / 256 * 256);
    if (!q) {
        deepnet_emu::g_last_error = cudaErrorMemoryAllocation;
        return cudaErrorMemoryAllocation;
    }
    std::memset(q, 0xA5, bytes);  // device memory starts as garbage, never as zeros
    g_allocations[q] = {bytes};
    deepnet_emu::g_allocated += bytes;
    *p = q;
    return cudaSuccess;
}

cudaError_t cudaFree(void* p) {
    if (!p) return cudaSuccess;
    std::lock_guard<std::mutex> lock(deepnet_emu::g_mutex);
    auto it = g_allocations.find(p);
    if (it == g_allocations.end()) {
        deepnet_emu::g_last_error = cudaErrorInvalidValue;
        return cudaErrorInvalidValue;
    }
    deepnet_emu::g_allocated -= it->second.bytes;
    g_allocations.erase(it);
    std::free(p);
    return cudaSuccess;
}

cudaError_t cudaMemcpy(void* dst, const void* src, size_t bytes, cudaMemcpyKind) {
    if (bytes) std::memmove(dst, src, bytes);
    return cudaSuccess;
}
cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t bytes, cudaMemcpyKind k, cudaStream_t) {
    return cudaMemcpy(dst, src, bytes, k);
}
cudaError_t cudaMemset(void* p, int value, size_t bytes) {
    if (bytes) std::memset(p, value, bytes);
    return cudaSuccess;
}
cudaError_t cudaMemsetAsync(void* p, int value, size_t bytes, cudaStream_t) { return cudaMemset(p, value, bytes); }

cudaError_t cudaGetLastError() {
    std::lock_guard<std::mutex> lock(deepnet_emu::g_mutex);
    const cudaError_t e = deepnet_emu::g_last_error;
    deepnet_emu::g_last_error = cudaSuccess;
    return e;
}
cudaError_t cudaPeekAtLastError() {
    std::lock_guard<std::mutex> lock(deepnet_emu::g_mutex);
    return deepnet_emu::g_last_error;
}
const char* cudaGetErrorString(cudaError_t e) {
    switch (e) {
        case cudaSuccess: return "no error";
        case cudaErrorInvalidValue: return "invalid argument";
        case cudaErrorMemoryAllocation: return "out of memory";
        case cudaErrorInvalidConfiguration: return "invalid configuration argument";
        case cudaErrorInvalidDevice: return "invalid device ordinal";
        default: return "unspecified launch failure";
    }
}

cudaError_t cudaGetDeviceCount(int* n) {
    *n = 1;
    return cudaSuccess;
}
cudaError_t cudaGetDevice(int* d) {
    *d = deepnet_emu::g_device;
    return cudaSuccess;
}
cudaError_t cudaSetDevice(int d) { return d == 0 ? cudaSuccess : fail(cudaErrorInvalidDevice); }
cudaError_t cudaGetDeviceProperties(cudaDeviceProp* p, int device) {
    if (device != 0) return fail(cudaErrorInvalidDevice);
    *p = cudaDeviceProp{};
    std::snprintf(p->name, sizeof(p->name), "emulated CUDA device (CPU)");
    p->totalGlobalMem = deepnet_emu::kDeviceBytes;
    p->sharedMemPerBlock = deepnet_emu::kDefaultDynamicShared;
    p->sharedMemPerBlockOptin = deepnet_emu::kOptinShared;
    p->warpSize = 32;
    p->maxThreadsPerBlock = 1024;
    p->major = 9;
    p->minor = 0;
    p->multiProcessorCount = 8;  // small: grids sized by the SM count stay cheap to emulate
    p->l2CacheSize = 50 << 20;
    return cudaSuccess;
}
cudaError_t cudaDeviceGetAttribute(int* v, cudaDeviceAttr a, int device) {
    if (device != 0) return fail(cudaErrorInvalidDevice);
    switch (a) {
        case cudaDevAttrMultiProcessorCount: *v = 8; break;
        case cudaDevAttrClockRate: *v = 1980000; break;        // kHz (an H200's boost clock)
        case cudaDevAttrMemoryClockRate: *v = 2619000; break;  // kHz
        case cudaDevAttrGlobalMemoryBusWidth: *v = 5120; break;
        case cudaDevAttrMaxSharedMemoryPerBlockOptin: *v = int(deepnet_emu::kOptinShared); break;
        default: return fail(cudaErrorInvalidValue);
    }
    return cudaSuccess;
}
cudaError_t cudaMemGetInfo(size_t* free_bytes, size_t* total_bytes) {
    std::lock_guard<std::mutex> lock(deepnet_emu::g_mutex);
    *total_bytes = deepnet_emu::kDeviceBytes;
    *free_bytes = deepnet_emu::kDeviceBytes - deepnet_emu::g_allocated;
    return cudaSuccess;
}
cudaError_t cudaDeviceSynchronize() { return cudaSuccess; }

namespace {
struct HandleStore {  // distinct non-null handles for streams and events
    char bytes[1];
};
}  // namespace
cudaError_t cudaStreamCreate(cudaStream_t* s) {
    *s = reinterpret_cast<cudaStream_t>(new HandleStore);
    return cudaSuccess;
}
cudaError_t cudaStreamCreateWithFlags(cudaStream_t* s, unsigned) { return cudaStreamCreate(s); }
cudaError_t cudaStreamDestroy(cudaStream_t s) {
    delete reinterpret_cast<HandleStore*>(s);
    return cudaSuccess;
}
cudaError_t cudaStreamSynchronize(cudaStream_t) { return cudaSuccess; }
cudaError_t cudaEventCreate(cudaEvent_t* e) {
    *e = reinterpret_cast<cudaEvent_t>(new HandleStore);
    return cudaSuccess;
}
cudaError_t cudaEventDestroy(cudaEvent_t e) {
    delete reinterpret_cast<HandleStore*>(e);
    return cudaSuccess;
}
cudaError_t cudaEventRecord(cudaEvent_t, cudaStream_t) { return cudaSuccess; }
cudaError_t cudaEventSynchronize(cudaEvent_t) { return cudaSuccess; }
cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t, cudaEvent_t) {
    *ms = 0.f;  // no timing: the emulator is for logic
    return cudaSuccess;
}

