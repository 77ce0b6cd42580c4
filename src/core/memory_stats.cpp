// Allocator statistics (see memory_stats.h): lock-free counters, one pair per device, since
// decoding threads allocate concurrently.
#include "src/core/memory_stats.h"

#include <atomic>

namespace deepnet {
namespace {

constexpr int kCudaSlots = 64;  // devices beyond it are not counted (none has so many)

struct Counters {
    std::atomic<int64_t> in_use{0}, peak{0};
};

Counters* slot(const Device& device) {
    static Counters counters[1 + kCudaSlots];
    if (device.kind == DeviceKind::CPU) return &counters[0];
    if (device.index >= 0 && device.index < kCudaSlots) return &counters[1 + device.index];
    return nullptr;
}

}  // namespace

MemoryStats memory_stats(const Device& device) {
    const Counters* c = slot(device);
    if (!c) return {};
    return {c->in_use.load(), c->peak.load()};
}

void reset_memory_peak(const Device& device) {
    if (Counters* c = slot(device)) c->peak.store(c->in_use.load());
}

void record_allocation(const Device& device, int64_t bytes) noexcept {
    Counters* c = slot(device);
    if (!c) return;
    const int64_t now = c->in_use.fetch_add(bytes) + bytes;
    int64_t seen = c->peak.load();
    while (now > seen && !c->peak.compare_exchange_weak(seen, now)) {
    }
}

void record_release(const Device& device, int64_t bytes) noexcept {
    if (Counters* c = slot(device)) c->in_use.fetch_sub(bytes);
}

}  // namespace deepnet
