// GEMMs on oneDNN's matmul (brgemm JIT kernels; AMX tiles for bfloat16 where the CPU has
// them). For bfloat16 the float32 operands are rounded into per-thread buffers, so oneDNN
// sees plain contiguous matrices; primitives are cached per thread by shape and type
// (creating one JIT-compiles kernels).
#include "kernels/onednn_matmul.h"

// GCC 12 warns about its own AVX-512 intrinsics (_mm512_undefined_*) when inlining them.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#include <oneapi/dnnl/dnnl.hpp>
#include <omp.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <stdexcept>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace deepnet::kernels::cpu {

void round_to_bf16(uint16_t* y, const float* x, int64_t n) {
    int64_t i = 0;
#ifdef __AVX512F__
    // The same integer arithmetic as to_bf16, 16 lanes at a time (bit-identical, tested).
    const __m512i one = _mm512_set1_epi32(1), half = _mm512_set1_epi32(0x7fff);
    const __m512i abs_mask = _mm512_set1_epi32(0x7fffffff), inf = _mm512_set1_epi32(0x7f800000);
    const __m512i quiet = _mm512_set1_epi32(0x40);
    for (; i + 16 <= n; i += 16) {
        const __m512i u = _mm512_loadu_si512(x + i);
        const __m512i hi = _mm512_srli_epi32(u, 16);
        __m512i r = _mm512_srli_epi32(_mm512_add_epi32(u, _mm512_add_epi32(half, _mm512_and_si512(hi, one))), 16);
        const __mmask16 nan = _mm512_cmpgt_epu32_mask(_mm512_and_si512(u, abs_mask), inf);
        r = _mm512_mask_mov_epi32(r, nan, _mm512_or_si512(hi, quiet));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(y + i), _mm512_cvtepi32_epi16(r));
    }
#endif
    for (; i < n; ++i) y[i] = to_bf16(x[i]);
}

namespace {

using dnnl::memory;
using Tag = memory::format_tag;
using Dt = memory::data_type;

struct CachedMatmul {
    dnnl::matmul::primitive_desc pd;  // the memory descriptors of every argument
    dnnl::matmul prim;
    uint64_t last_use = 0;
};

memory::desc operand_md(int64_t rows, int64_t cols, bool trans, int64_t ld, Dt type) {
    // op(X) is (rows, cols); X itself is stored row-major with row stride ld.
    return memory::desc({rows, cols}, type, trans ? memory::dims{1, ld} : memory::dims{ld, 1});
}

// One per thread: oneDNN streams are not thread-safe, and the translator runs a decoder per
// thread. A primitive fixes its thread count when created, so the count (and whether we are
// inside a parallel region, where oneDNN runs on one thread) is part of the key. A training
// run sees a few hundred batch shapes times ~15 GEMM signatures: when the cache is full the
// least recently used half goes (creating a primitive JIT-compiles kernels, ~1-2 ms).
struct ThreadContext {
    static constexpr size_t kCapacity = 4096;
    dnnl::engine engine{dnnl::engine::kind::cpu, 0};
    dnnl::stream stream{engine};
    using Key = std::tuple<Dt, bool, bool, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,
                           bool, bool, int, bool>;
    std::map<Key, CachedMatmul> cache;
    uint64_t tick = 0;
    Bf16Buffer a, b;  // gemm_bf16's rounded operands
    std::vector<uint8_t> scratch;

    CachedMatmul& get(Dt type, bool ta, bool tb, int64_t M, int64_t N, int64_t K, int64_t lda,
                      int64_t ldb, int64_t ldc, bool acc, bool bias) {
        const Key key{type, ta, tb, M, N, K, lda, ldb, ldc, acc, bias, omp_get_max_threads(),
                      omp_in_parallel() != 0};
        auto it = cache.find(key);
        if (it != cache.end()) {
            it->second.last_use = ++tick;
            return it->second;
        }
        if (cache.size() >= kCapacity) evict_older_half();
        const memory::desc c_md({M, N}, Dt::f32, memory::dims{ldc, 1});
        dnnl::primitive_attr attr;
        attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
        // float32 means float32: ONEDNN_DEFAULT_FPMATH_MODE in the environment must not
        // silently turn it into bfloat16.
        if (type == Dt::f32) attr.set_fpmath_mode(dnnl::fpmath_mode::strict);
        if (acc) {
            dnnl::post_ops ops;
            ops.append_sum(1.f);
            attr.set_post_ops(ops);
        }
        const memory::desc a_md = operand_md(M, K, ta, lda, type), b_md = operand_md(K, N, tb, ldb, type);
        const auto desc = bias ? dnnl::matmul::desc(a_md, b_md, memory::desc({1, N}, Dt::f32, Tag::ab), c_md)
                               : dnnl::matmul::desc(a_md, b_md, c_md);
        const dnnl::matmul::primitive_desc pd(desc, attr, engine);
        CachedMatmul entry{pd, dnnl::matmul(pd), ++tick};
        return cache.emplace(key, std::move(entry)).first->second;
    }

    void evict_older_half() {
        std::vector<uint64_t> uses;
        uses.reserve(cache.size());
        for (const auto& e : cache) uses.push_back(e.second.last_use);
        std::nth_element(uses.begin(), uses.begin() + long(uses.size() / 2), uses.end());
        const uint64_t median = uses[uses.size() / 2];
        for (auto it = cache.begin(); it != cache.end();) it = it->second.last_use < median ? cache.erase(it) : std::next(it);
    }
};

ThreadContext& context() {
    thread_local ThreadContext ctx;
    return ctx;
}

std::string probe_impl() {
    try {
        const memory::desc a({32, 32}, Dt::bf16, Tag::ab), c({32, 32}, Dt::f32, Tag::ab);
        const dnnl::engine eng(dnnl::engine::kind::cpu, 0);
        const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a, a, c), eng);
        return pd.impl_info_str();
    } catch (const dnnl::error& e) {
        return std::string();
    }
}

// The implementation oneDNN picks for a bfloat16 matmul here, probed once ("" = none).
const std::string& bf16_impl() {
    static const std::string impl = probe_impl();
    return impl;
}

void zero_rows(float* C, int64_t M, int64_t N, int64_t ldc) {
    for (int64_t m = 0; m < M; ++m) std::memset(C + m * ldc, 0, size_t(N) * sizeof(float));
}

}  // namespace

std::string bf16_matmul_unavailable_reason() {
    if (!bf16_impl().empty()) return std::string();
    return "oneDNN has no bfloat16 matmul for this CPU (it needs AVX-512; AMX makes it fast)";
}

bool bf16_matmul_uses_amx() { return bf16_impl().find("amx") != std::string::npos; }

namespace {

// C = op(A) op(B) + beta C (+ bias) with A, B of the given type (f32 or bf16), C float32.
void run_matmul(Dt type, bool ta, bool tb, int64_t M, int64_t N, int64_t K, const void* A,
                int64_t lda, const void* B, int64_t ldb, float beta, float* C, int64_t ldc,
                const float* bias) {
    if (M == 0 || N == 0) return;
    if (beta != 0.f && beta != 1.f) throw std::invalid_argument("onednn gemm: beta must be 0 or 1");
    if (bias && beta != 0.f) throw std::invalid_argument("onednn gemm: a bias needs beta 0");
    if (K == 0) {
        if (beta == 0.f) zero_rows(C, M, N, ldc);
        if (bias)
            for (int64_t m = 0; m < M; ++m) std::memcpy(C + m * ldc, bias, size_t(N) * sizeof(float));
        return;
    }
    ThreadContext& ctx = context();
    CachedMatmul& mm = ctx.get(type, ta, tb, M, N, K, lda, ldb, ldc, beta != 0.f, bias != nullptr);
    const memory::desc scratch_md = mm.pd.scratchpad_desc();
    if (ctx.scratch.size() < scratch_md.get_size()) ctx.scratch.resize(scratch_md.get_size());
    // oneDNN's memory objects do not write through const; the operands are only read.
    std::unordered_map<int, memory> args{
        {DNNL_ARG_SRC, memory(mm.pd.src_desc(), ctx.engine, const_cast<void*>(A))},
        {DNNL_ARG_WEIGHTS, memory(mm.pd.weights_desc(), ctx.engine, const_cast<void*>(B))},
        {DNNL_ARG_DST, memory(mm.pd.dst_desc(), ctx.engine, C)}};
    if (bias) args.emplace(DNNL_ARG_BIAS, memory(mm.pd.bias_desc(), ctx.engine, const_cast<float*>(bias)));
    if (scratch_md.get_size() > 0)
        args.emplace(DNNL_ARG_SCRATCHPAD, memory(scratch_md, ctx.engine, ctx.scratch.data()));
    mm.prim.execute(ctx.stream, args);
    ctx.stream.wait();
}

}  // namespace

void gemm_bf16_rounded(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const uint16_t* A,
                       int64_t lda, const uint16_t* B, int64_t ldb, float beta, float* C,
                       int64_t ldc, const float* bias) {
    run_matmul(Dt::bf16, ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc, bias);
}

void gemm_f32(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda,
              const float* B, int64_t ldb, float beta, float* C, int64_t ldc, const float* bias) {
    run_matmul(Dt::f32, ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc, bias);
}

void pack_bf16(Bf16Buffer& out, const float* x, int64_t rows, int64_t cols, int64_t ld) {
    if (int64_t(out.data.size()) < rows * cols) out.data.resize(size_t(rows * cols));
    uint16_t* y = out.data.data();
    if (ld == cols) {  // one contiguous block: split it evenly over the threads
        const int64_t n = rows * cols, chunk = 1 << 14;
#pragma omp parallel for schedule(static) if (n > 2 * chunk)
        for (int64_t i = 0; i < n; i += chunk) round_to_bf16(y + i, x + i, std::min(chunk, n - i));
        return;
    }
#pragma omp parallel for schedule(static) if (rows * cols > (1 << 15))
    for (int64_t r = 0; r < rows; ++r) round_to_bf16(y + r * cols, x + r * ld, cols);
}

void pack_bf16_add_column_sums(Bf16Buffer& out, const float* x, int64_t rows, int64_t cols,
                               float* sums) {
    if (int64_t(out.data.size()) < rows * cols) out.data.resize(size_t(rows * cols));
    uint16_t* y = out.data.data();
    // Fixed blocks of rows, each rounded and column-summed by one thread; the block sums are
    // added in block order, so the result does not depend on the thread count.
    constexpr int64_t kBlock = 64;
    const int64_t blocks = (rows + kBlock - 1) / kBlock;
    thread_local std::vector<float> partial_buffer;  // the caller's; the team uses its pointer
    partial_buffer.assign(size_t(blocks) * size_t(cols), 0.f);
    float* const partial = partial_buffer.data();
#pragma omp parallel for schedule(static) if (rows * cols > (1 << 15))
    for (int64_t blk = 0; blk < blocks; ++blk) {
        float* ps = partial + blk * cols;
        const int64_t r1 = std::min(rows, (blk + 1) * kBlock);
        for (int64_t r = blk * kBlock; r < r1; ++r) {
            const float* xr = x + r * cols;
            round_to_bf16(y + r * cols, xr, cols);
#pragma omp simd
            for (int64_t c = 0; c < cols; ++c) ps[c] += xr[c];
        }
    }
    for (int64_t blk = 0; blk < blocks; ++blk) {
        const float* ps = partial + blk * cols;
        for (int64_t c = 0; c < cols; ++c) sums[c] += ps[c];
    }
}

void gemm_bf16(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda,
               const float* B, int64_t ldb, float beta, float* C, int64_t ldc, const float* bias) {
    if (M == 0 || N == 0) return;
    ThreadContext& ctx = context();
    pack_bf16(ctx.a, A, ta ? K : M, ta ? M : K, lda);
    pack_bf16(ctx.b, B, tb ? N : K, tb ? K : N, ldb);
    gemm_bf16_rounded(ta, tb, M, N, K, ctx.a.data.data(), ta ? M : K, ctx.b.data.data(), tb ? K : N,
                      beta, C, ldc, bias);
}

}  // namespace deepnet::kernels::cpu
