// libFuzzer target: the progress record of a training state (progress_from_yaml), as a
// resume reads it from <model>.state.safetensors. A UserError is the expected answer to a
// damaged record; any other exception, crash or sanitizer report is a finding. A record
// that is accepted must also survive a write and a read unchanged (resume is exact), or
// the target aborts.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "src/core/error.h"
#include "src/train/train_state.h"

namespace {

bool same(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

bool same(const deepnet::TrainProgress& a, const deepnet::TrainProgress& b) {
    // Metric names are refused unless they are [a-z0-9-] (a name with invalid UTF-8 was
    // rewritten as U+FFFD by the next save: tests/fuzz/crashes/progress_yaml/), so the whole
    // map must survive.
    if (a.best.size() != b.best.size()) return false;
    for (auto i = a.best.begin(), j = b.best.begin(); i != a.best.end(); ++i, ++j)
        if (i->first != j->first || !same(i->second, j->second)) return false;
    return a.updates == b.updates && a.micro_batches == b.micro_batches && a.epoch == b.epoch &&
           a.batches_in_epoch == b.batches_in_epoch && a.target_tokens == b.target_tokens &&
           a.skipped_updates == b.skipped_updates && same(a.elapsed_seconds, b.elapsed_seconds) &&
           a.stalled == b.stalled && a.validations == b.validations &&
           a.data_fingerprint == b.data_fingerprint;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    deepnet::TrainProgress progress;
    try {
        progress = deepnet::progress_from_yaml(std::string(reinterpret_cast<const char*>(data), size), "fuzz");
    } catch (const deepnet::UserError&) {
        return 0;
    }
    const std::string written = deepnet::progress_to_yaml(progress);
    if (!same(deepnet::progress_from_yaml(written, "fuzz round trip"), progress)) {
        std::fprintf(stderr, "progress record changed in a write + read:\n%s\n", written.c_str());
        std::abort();
    }
    return 0;
}
