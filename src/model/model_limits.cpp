// Model size ceilings and overflow-safe size arithmetic (see model_limits.h).
#include "src/model/model_limits.h"

#include <unistd.h>

#include <cstdio>

#include "src/core/error.h"

namespace deepnet {
namespace {

void in_range(int64_t v, int64_t lo, int64_t hi, const char* name, const std::string& origin) {
    DEEPNET_USER_CHECK(v >= lo && v <= hi, name << " " << v << " (" << origin << ") is out of range: "
                                                << "it must be between " << lo << " and " << hi);
}

std::string gib(int64_t bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f GiB", double(bytes) / double(int64_t(1) << 30));
    return buf;
}

}  // namespace

int64_t checked_mul(int64_t a, int64_t b, const std::string& what) {
    int64_t r = 0;
    DEEPNET_USER_CHECK(a >= 0 && b >= 0 && !__builtin_mul_overflow(a, b, &r),
                       what << " is too large (" << a << " x " << b << " overflows)");
    return r;
}

void check_model_config(const ModelConfig& c, const std::string& origin) {
    in_range(c.enc_depth, 1, kMaxDepth, "enc-depth", origin);
    in_range(c.dec_depth, 1, kMaxDepth, "dec-depth", origin);
    in_range(c.dim_emb, 1, kMaxDimEmb, "dim-emb", origin);
    in_range(c.heads, 1, kMaxHeads, "transformer-heads", origin);
    in_range(c.dim_ffn, 1, kMaxDimFfn, "transformer-dim-ffn", origin);
    in_range(c.vocab_size, 5, kMaxVocab, "the vocabulary size", origin);
    DEEPNET_USER_CHECK(c.dim_emb % c.heads == 0, "dim-emb " << c.dim_emb << " (" << origin
                                                  << ") is not divisible by transformer-heads " << c.heads);
    // Upper bound of the parameter count (every stack with cross-attention-sized layers,
    // three untied embedding tables); the ranges above keep it far from overflowing.
    const int64_t C = c.dim_emb, F = c.dim_ffn, V = c.vocab_size;
    const int64_t per_layer = 4 * (C * C + C) * 2 + 2 * C * F + F + C + 8 * C;
    const int64_t bound = (c.enc_depth + c.dec_depth) * per_layer + 3 * V * C;
    DEEPNET_USER_CHECK(bound <= kMaxParameters,
                       "the model (" << origin << ") would have about " << bound
                                     << " parameters, more than the limit of " << kMaxParameters
                                     << ": reduce dim-emb, transformer-dim-ffn, the depths or the vocabulary");
}

int64_t physical_memory_bytes() {
    const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0) return 0;
    return int64_t(pages) * int64_t(page);
}

void check_fits_in_memory(int64_t bytes, const std::string& what, const std::string& advice) {
    const int64_t have = physical_memory_bytes();
    DEEPNET_USER_CHECK(have == 0 || bytes <= have, what << " need " << gib(bytes) << " but this machine has "
                                                        << gib(have) << " of memory: " << advice);
}

}  // namespace deepnet
