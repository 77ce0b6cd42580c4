// What the attention forward and backward kernels share (nvcc only): tile sizes, the
// parameters of a launch, masks, dropout draws, tile loads and the shared-memory layouts.
// The algorithm is described in kernels/attention_cuda.cu; the entry points are in
// kernels/attention.h.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "kernels/attention.h"
#include "kernels/counter_rng.h"
#include "kernels/cuda_utils.cuh"
#include "kernels/tile_gemm.cuh"

namespace deepnet::kernels::cuda::attn {

// Query rows and keys per tile, threads per block. kBc is the warp size: in the softmax
// passes lane l of a warp owns key k0 + l of the tile. Tiles are small because sentences in
// NMT are short (tens of tokens): bigger tiles would mostly compute masked padding.
constexpr int kBr = 32, kBc = 32, kThreads = 128;
static_assert(kBc == 32, "one lane per key of a tile");
static_assert(kBr % 16 == 0 && kBc % 16 == 0, "tiles are whole mma tiles");
// Elements added to each shared row of a T tile: rows stay 16-byte aligned (ldmatrix) and
// consecutive rows start in different banks.
constexpr int kPad = 8;
constexpr int kMaxD = 128;

// One launch's sizes and scalars, passed by value.
struct Params {
    int64_t B, Tq, Tk, H, ldq, ldk, ldv, ldo;
    int D, Dp;         // head size, and rounded up to 16 (the mma k step; columns D..Dp are 0)
    float scale;       // 1 / sqrt(D), as the CPU twin computes it in float
    float p, keep;     // dropout probability and 1 / (1 - p)
    uint64_t key;
    bool causal;
};

inline Params make_params(const AttentionDims& d, bool causal, float dropout_p, uint64_t dropout_key) {
    Params p;
    p.B = d.B, p.Tq = d.Tq, p.Tk = d.Tk, p.H = d.H, p.ldq = d.ldq, p.ldk = d.ldk, p.ldv = d.ldv, p.ldo = d.ldo;
    p.D = int(d.D), p.Dp = int((d.D + 15) / 16 * 16);
    p.scale = 1.f / std::sqrt(float(d.D));
    p.p = dropout_p, p.keep = 1.f / (1.f - dropout_p);
    p.key = dropout_key;
    p.causal = causal;
    return p;
}

// The sizes the kernels support; anything else is a clear error before a launch.
inline void check_dims(const AttentionDims& d, float dropout_p, const char* op) {
    auto fail = [&](const std::string& what) { throw std::invalid_argument(std::string(op) + ": " + what); };
    if (d.D < 8 || d.D > kMaxD || d.D % 8 != 0)
        fail("head size D = " + std::to_string(d.D) + " is not supported (a multiple of 8 up to 128)");
    if (d.B < 0 || d.Tq < 0 || d.Tk < 1 || d.H < 1)
        fail("bad sizes B = " + std::to_string(d.B) + ", Tq = " + std::to_string(d.Tq) +
             ", Tk = " + std::to_string(d.Tk) + ", H = " + std::to_string(d.H));
    if (d.B > 65535 || d.H > 65535) fail("B and H must be at most 65535 (grid dimensions)");
    if (d.ldq < d.H * d.D || d.ldk < d.H * d.D || d.ldv < d.H * d.D || d.ldo < d.H * d.D)
        fail("a row stride is smaller than H * D");
    if (!(dropout_p >= 0.f && dropout_p < 1.f)) fail("dropout p = " + std::to_string(dropout_p) + " not in [0, 1)");
}

// Keys of query i of sentence b that are visible: [0, key_limit). The CPU twin's rule.
__device__ __forceinline__ int64_t key_limit(const int64_t* key_len, const Params& p, int64_t b, int64_t i) {
    int64_t lim = key_len[b] < p.Tk ? key_len[b] : p.Tk;
    if (p.causal && i + 1 < lim) lim = i + 1;
    return lim;
}

// The end of the keys any row of the query tile at q0 sees: key tiles from there on are
// skipped (the forward and the dq pass).
__device__ __forceinline__ int64_t key_end(const int64_t* key_len, const Params& p, int64_t b, int64_t q0) {
    int64_t end = key_len[b] < p.Tk ? key_len[b] : p.Tk;
    if (p.causal && q0 + kBr < end) end = q0 + kBr;
    return end;
}

// The dropout factor of probability P[b, h, i, j], index ((b H + h) Tq + i) Tk + j: the CPU
// twin's draw (kernels/counter_rng.h), so the masks are the same bit for bit.
__device__ __forceinline__ float keep_factor(const Params& p, int64_t bh, int64_t i, int64_t j) {
    if (p.p <= 0.f) return 1.f;
    return uniform01(p.key, uint64_t((bh * p.Tq + i) * p.Tk + j)) >= p.p ? p.keep : 0.f;
}

__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xFFFFFFFFu, v, o));
    return v;
}

// rows x Dp tile (shared row stride ld) from global rows [0, valid) of stride ldg; rows from
// `valid` on and columns from D on are 0 (finite values that the masks or the zero padding
// of the k dimension cancel).
template <typename T>
__device__ __forceinline__ void load_tile(T* dst, int ld, const T* src, int64_t ldg, int64_t valid, int rows,
                                          int D, int Dp) {
    for (int idx = int(threadIdx.x); idx < rows * Dp; idx += int(blockDim.x)) {
        const int r = idx / Dp, c = idx % Dp;
        dst[r * ld + c] = r < valid && c < D ? src[r * ldg + c] : detail::from_float<T>(0.f);
    }
}

// Shared memory carved into 16-byte aligned regions; the same code sizes it on the host and
// finds the regions on the device.
struct Carve {
    size_t bytes = 0;
    template <typename X>
    __host__ __device__ size_t take(size_t n) {
        const size_t at = bytes;
        bytes += (n * sizeof(X) + 15) / 16 * 16;
        return at;
    }
};

// Forward: q, k, v tiles (T), P after dropout (T, the A operand of P V), scores (fp32), the
// output accumulator (fp32, kBr x D) and the row statistics m, l and the rescale factor.
struct FwdLayout {
    size_t q, k, v, pw, s, o, m, l, alpha, bytes;
};
template <typename T>
__host__ __device__ inline FwdLayout fwd_layout(int D, int Dp) {
    Carve c;
    FwdLayout L;
    const size_t ldt = size_t(Dp + kPad);
    L.q = c.take<T>(kBr * ldt), L.k = c.take<T>(kBc * ldt), L.v = c.take<T>(kBc * ldt);
    L.pw = c.take<T>(size_t(kBr) * (kBc + kPad));
    L.s = c.take<float>(size_t(kBr) * kBc);
    L.o = c.take<float>(size_t(kBr) * D);
    L.m = c.take<float>(kBr), L.l = c.take<float>(kBr), L.alpha = c.take<float>(kBr);
    L.bytes = c.bytes;
    return L;
}

// Backward (both passes): q, dout, k, v tiles (T); scores and dP (fp32); P after dropout and
// dS (T, the A operands); two fp32 accumulators of kBc x D (dk, dv; the dq pass uses the
// first as kBr x D); lse and D_i of the tile's rows.
struct BwdLayout {
    size_t q, dout, k, v, s, dp, pw, ds, acc0, acc1, lse, dlt, bytes;
};
template <typename T>
__host__ __device__ inline BwdLayout bwd_layout(int D, int Dp) {
    static_assert(kBr == kBc, "the accumulators serve kBr or kBc rows");
    Carve c;
    BwdLayout L;
    const size_t ldt = size_t(Dp + kPad);
    L.q = c.take<T>(kBr * ldt), L.dout = c.take<T>(kBr * ldt);
    L.k = c.take<T>(kBc * ldt), L.v = c.take<T>(kBc * ldt);
    L.s = c.take<float>(size_t(kBr) * kBc), L.dp = c.take<float>(size_t(kBr) * kBc);
    L.pw = c.take<T>(size_t(kBr) * (kBc + kPad)), L.ds = c.take<T>(size_t(kBr) * (kBc + kPad));
    L.acc0 = c.take<float>(size_t(kBc) * D), L.acc1 = c.take<float>(size_t(kBc) * D);
    L.lse = c.take<float>(kBr), L.dlt = c.take<float>(kBr);
    L.bytes = c.bytes;
    return L;
}

// Raises the kernel's dynamic shared-memory limit above the default 48 KB when needed, or
// says why the launch cannot fit.
template <typename Kernel>
void prepare_smem(Kernel kernel, size_t bytes, const char* op) {
    int dev = 0, optin = 0;
    CUDA_CHECK(cudaGetDevice(&dev));
    CUDA_CHECK(cudaDeviceGetAttribute(&optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, dev));
    if (bytes > size_t(optin))
        throw std::runtime_error(std::string(op) + ": needs " + std::to_string(bytes) +
                                 " bytes of shared memory per block; the device allows " + std::to_string(optin));
    if (bytes > 48 * 1024)
        CUDA_CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(bytes)));
}

}  // namespace deepnet::kernels::cuda::attn
