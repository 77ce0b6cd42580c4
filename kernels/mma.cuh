// Tensor-core building blocks (nvcc only, like cuda_utils.cuh): one warp-wide bf16 MMA and
// the shared-memory matrix loads that feed it.
//   mma_m16n8k16_bf16_f32   mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
//   ldmatrix_x4 / _x2       ldmatrix.sync.aligned.m8n8.x4 / .x2.shared.b16
//   ldmatrix_x4_trans / _x2_trans   the same with .trans
// Every lane of the warp must call each function together (they are .sync.aligned).
//
// Real build (sm_80 and later): inline PTX. Emulated build (DEEPNET_CUDA_EMULATED, tests/
// cuda_emu): each lane computes exactly the registers the PTX ISA assigns to it, fetching
// the other lanes' registers and row addresses with __shfl_sync. A kernel that indexes a
// fragment wrongly therefore gets wrong numbers on the CPU as it would on the device.
//
// Layouts, from the PTX ISA (8.7), with groupID g = lane >> 2 and threadID_in_group
// t = lane % 4; a .b32 register holds two b16 elements, the lower-indexed one in the low
// half:
// - "Matrix Fragments for mma.m16n8k16 with floating point type" (section on mma.m16n8k16,
//   .bf16 multiplicands):
//   A (16x16, row): a[0] = A[g][2t..2t+1], a[1] = A[g+8][2t..2t+1], a[2] = A[g][2t+8..2t+9],
//                   a[3] = A[g+8][2t+8..2t+9];
//   B (16x8, col):  b[0] = B[2t..2t+1][g], b[1] = B[2t+8..2t+9][g];
//   C, D (16x8 f32): c[0] = C[g][2t], c[1] = C[g][2t+1], c[2] = C[g+8][2t], c[3] = C[g+8][2t+1].
// - "Warp-level matrix load instruction: ldmatrix": matrix i (of 4, or 2) of 8x8 b16 has its
//   8 row addresses given by lanes 8i..8i+7 (row r by lane 8i+r; each row 16 contiguous,
//   16-byte aligned bytes of shared memory). Lane l receives in register r[i] the elements
//   M_i[g][2t..2t+1]; with .trans, M_i[2t][g] and M_i[2t+1][g] (the matrix transposed).
#pragma once

#if !defined(__CUDACC__)
#error "kernels/mma.cuh is for nvcc only"
#endif

#include <cstdint>

#if defined(DEEPNET_CUDA_EMULATED)
#include <cstdio>
#include <cstdlib>
#include <cstring>
#endif

namespace deepnet::kernels::cuda::mma {

#if defined(DEEPNET_CUDA_EMULATED)
namespace emu {

inline int lane() { return deepnet_emu::lane_id(); }

// ldmatrix needs 16-byte aligned rows; the device would fault (or load garbage).
inline const char* row_address(const void* p) {
    if ((reinterpret_cast<uintptr_t>(p) & 15u) != 0) {
        std::fprintf(stderr, "ldmatrix: row address %p is not 16-byte aligned\n", p);
        std::abort();
    }
    return static_cast<const char*>(p);
}

inline uint16_t b16_at(const char* row, int col) {
    uint16_t v;
    std::memcpy(&v, row + 2 * col, 2);
    return v;
}

// Register i of `count` 8x8 matrices, as ldmatrix gives it to this lane.
template <int kCount, bool kTrans>
inline void ldmatrix(uint32_t* r, const void* my_row) {
    const int l = lane(), g = l >> 2, t = l & 3;
    for (int i = 0; i < kCount; ++i) {
        if (!kTrans) {
            const char* row = row_address(__shfl_sync(0xFFFFFFFFu, my_row, 8 * i + g));
            r[i] = uint32_t(b16_at(row, 2 * t)) | (uint32_t(b16_at(row, 2 * t + 1)) << 16);
        } else {
            const char* r0 = row_address(__shfl_sync(0xFFFFFFFFu, my_row, 8 * i + 2 * t));
            const char* r1 = row_address(__shfl_sync(0xFFFFFFFFu, my_row, 8 * i + 2 * t + 1));
            r[i] = uint32_t(b16_at(r0, g)) | (uint32_t(b16_at(r1, g)) << 16);
        }
    }
}

inline float bf16_lo(uint32_t v) { return __uint_as_float(v << 16); }
inline float bf16_hi(uint32_t v) { return __uint_as_float(v & 0xFFFF0000u); }
inline uint64_t pack(uint32_t lo, uint32_t hi) { return uint64_t(lo) | (uint64_t(hi) << 32); }

}  // namespace emu
#endif

// D = A B + C for one 16x8x16 tile per warp; d may be c.
__device__ __forceinline__ void mma_m16n8k16_bf16_f32(float (&d)[4], const uint32_t (&a)[4],
                                                      const uint32_t (&b)[2], const float (&c)[4]) {
#if defined(DEEPNET_CUDA_EMULATED)
    const int l = emu::lane(), g = l >> 2, t = l & 3;
    // Rows g and g+8 of A and columns 2t and 2t+1 of B, gathered from the lanes that hold them:
    // A[g][2u..2u+1] is in a[0] of lane 4g+u, B[2u..2u+1][n] in b[0] of lane 4n+u.
    float arow[2][16], bcol[2][16];
    for (int u = 0; u < 4; ++u) {
        const uint64_t a01 = __shfl_sync(0xFFFFFFFFu, emu::pack(a[0], a[1]), 4 * g + u);
        const uint64_t a23 = __shfl_sync(0xFFFFFFFFu, emu::pack(a[2], a[3]), 4 * g + u);
        const uint32_t regs[4] = {uint32_t(a01), uint32_t(a01 >> 32), uint32_t(a23), uint32_t(a23 >> 32)};
        for (int h = 0; h < 2; ++h) {  // h = 0: row g (a[0], a[2]); h = 1: row g + 8 (a[1], a[3])
            arow[h][2 * u] = emu::bf16_lo(regs[h]);
            arow[h][2 * u + 1] = emu::bf16_hi(regs[h]);
            arow[h][2 * u + 8] = emu::bf16_lo(regs[2 + h]);
            arow[h][2 * u + 9] = emu::bf16_hi(regs[2 + h]);
        }
        for (int n = 0; n < 2; ++n) {
            const uint64_t bb = __shfl_sync(0xFFFFFFFFu, emu::pack(b[0], b[1]), 4 * (2 * t + n) + u);
            bcol[n][2 * u] = emu::bf16_lo(uint32_t(bb));
            bcol[n][2 * u + 1] = emu::bf16_hi(uint32_t(bb));
            bcol[n][2 * u + 8] = emu::bf16_lo(uint32_t(bb >> 32));
            bcol[n][2 * u + 9] = emu::bf16_hi(uint32_t(bb >> 32));
        }
    }
    // Products of bf16 values are exact in fp32; the device's order of the fp32 sums is not
    // documented, so results agree to fp32 round-off, not bit for bit.
    float out[4];
    for (int e = 0; e < 4; ++e) {
        float s = 0.f;
        for (int k = 0; k < 16; ++k) s += arow[e >> 1][k] * bcol[e & 1][k];
        out[e] = c[e] + s;
    }
    for (int e = 0; e < 4; ++e) d[e] = out[e];
#elif defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 "
        "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%10,%11,%12,%13};\n"
        : "=f"(d[0]), "=f"(d[1]), "=f"(d[2]), "=f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]), "f"(c[0]), "f"(c[1]),
          "f"(c[2]), "f"(c[3]));
#elif defined(__CUDA_ARCH__)
#error "kernels/mma.cuh needs sm_80 or later (bf16 mma.sync)"
#endif
}

// Four 8x8 b16 matrices from shared memory; `row` is this lane's row address (lanes 8i..8i+7
// address matrix i).
__device__ __forceinline__ void ldmatrix_x4(uint32_t (&r)[4], const void* row) {
#if defined(DEEPNET_CUDA_EMULATED)
    emu::ldmatrix<4, false>(r, row);
#elif defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
    const unsigned s = static_cast<unsigned>(__cvta_generic_to_shared(row));
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(s));
#endif
}

__device__ __forceinline__ void ldmatrix_x4_trans(uint32_t (&r)[4], const void* row) {
#if defined(DEEPNET_CUDA_EMULATED)
    emu::ldmatrix<4, true>(r, row);
#elif defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
    const unsigned s = static_cast<unsigned>(__cvta_generic_to_shared(row));
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(s));
#endif
}

// Two matrices: lanes 0..15 give the row addresses (the others' are ignored).
__device__ __forceinline__ void ldmatrix_x2(uint32_t (&r)[2], const void* row) {
#if defined(DEEPNET_CUDA_EMULATED)
    emu::ldmatrix<2, false>(r, row);
#elif defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
    const unsigned s = static_cast<unsigned>(__cvta_generic_to_shared(row));
    asm volatile("ldmatrix.sync.aligned.m8n8.x2.shared.b16 {%0,%1}, [%2];\n"
                 : "=r"(r[0]), "=r"(r[1])
                 : "r"(s));
#endif
}

__device__ __forceinline__ void ldmatrix_x2_trans(uint32_t (&r)[2], const void* row) {
#if defined(DEEPNET_CUDA_EMULATED)
    emu::ldmatrix<2, true>(r, row);
#elif defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
    const unsigned s = static_cast<unsigned>(__cvta_generic_to_shared(row));
    asm volatile("ldmatrix.sync.aligned.m8n8.x2.trans.shared.b16 {%0,%1}, [%2];\n"
                 : "=r"(r[0]), "=r"(r[1])
                 : "r"(s));
#endif
}

}  // namespace deepnet::kernels::cuda::mma
