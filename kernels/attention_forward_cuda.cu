// Attention forward on the GPU, flash-style (one pass, online softmax, no Tq x Tk matrix in
// global memory):
//   out_i = sum_j (P_ij keep_ij / (1 - p)) v_j,  P_i = softmax_j(scale q_i . k_j + mask),
//   lse_i = log sum_j exp(scale q_i . k_j) over the visible keys (saved for the backward).
// One block (4 warps) per (query tile of kBr = 32 rows, head, sentence). The block keeps its
// query tile in shared memory and walks the key tiles (kBc = 32 keys) up to the last key any
// of its rows can see (key_len[b]; with causal, also its last row). Per key tile:
//   1. load k, v (T) into shared memory;
//   2. S = q k^T (fp32) with the block GEMM (tensor cores for bf16, FMA for float);
//   3. each warp takes rows r = warp, warp + 4, ...; lane l is key k0 + l: the row maximum
//      m and sum l are updated online (m' = max(m, max_j s_j), l' = l e^(m - m') + sum_j
//      e^(s_j - m')), and the probabilities, times the CPU twin's dropout factors, are
//      written as T (the A operand of the next product; bf16 rounds them, as FlashAttention
//      does);
//   4. the output accumulator (fp32, kBr x D in shared memory) is rescaled by e^(m - m') and
//      O += P v is added by the block GEMM.
// At the end out = O / l and lse = m + log l. Masked keys get probability exactly 0, and keys
// past the last visible one are never read. Head sizes: multiples of 8 up to 128 (the k
// dimension of q k^T is zero-padded to a multiple of 16 in shared memory).
//
// Shared memory (fwd_layout in attention_tiles.cuh), with ldt = roundup16(D) + 8:
//   q, k, v: 3 x 32 x ldt x sizeof(T); P: 32 x 40 x sizeof(T); S: 32 x 32 x 4;
//   O: 32 x D x 4; m, l, rescale: 3 x 32 x 4.
//   bf16 D = 64: 28 KB, D = 128: 48.4 KB; float D = 64: 44 KB, D = 128: 76 KB (above 48 KB
//   the kernel raises its limit).
#include "kernels/attention_tiles.cuh"

namespace deepnet::kernels::cuda {
namespace {

using attn::kBc;
using attn::kBr;
using attn::kPad;
using attn::kThreads;
using attn::Params;

template <typename T>
__global__ void __launch_bounds__(kThreads)
    forward_kernel(T* out, float* lse, const T* q, const T* k, const T* v, const int64_t* key_len, Params p) {
    extern __shared__ __align__(16) uint8_t smem[];
    const attn::FwdLayout L = attn::fwd_layout<T>(p.D, p.Dp);
    T* qs = reinterpret_cast<T*>(smem + L.q);
    T* ks = reinterpret_cast<T*>(smem + L.k);
    T* vs = reinterpret_cast<T*>(smem + L.v);
    T* pw = reinterpret_cast<T*>(smem + L.pw);
    float* s = reinterpret_cast<float*>(smem + L.s);
    float* o = reinterpret_cast<float*>(smem + L.o);
    float* m = reinterpret_cast<float*>(smem + L.m);
    float* l = reinterpret_cast<float*>(smem + L.l);
    float* alpha = reinterpret_cast<float*>(smem + L.alpha);

    const int64_t b = blockIdx.z, h = blockIdx.y, q0 = int64_t(blockIdx.x) * kBr, bh = b * p.H + h;
    const int D = p.D, ldt = p.Dp + kPad, ldp = kBc + kPad;
    const int lane = int(threadIdx.x) & 31, warp = int(threadIdx.x) >> 5, warps = kThreads / 32;

    attn::load_tile(qs, ldt, q + (b * p.Tq + q0) * p.ldq + h * D, p.ldq, p.Tq - q0, kBr, D, p.Dp);
    for (int idx = int(threadIdx.x); idx < kBr * D; idx += kThreads) o[idx] = 0.f;
    for (int r = int(threadIdx.x); r < kBr; r += kThreads) m[r] = -INFINITY, l[r] = 0.f;

    const int64_t kend = attn::key_end(key_len, p, b, q0);
    for (int64_t k0 = 0; k0 < kend; k0 += kBc) {
        __syncthreads();  // the previous tile's k, v and P are no longer read
        attn::load_tile(ks, ldt, k + (b * p.Tk + k0) * p.ldk + h * D, p.ldk, p.Tk - k0, kBc, D, p.Dp);
        attn::load_tile(vs, ldt, v + (b * p.Tk + k0) * p.ldv + h * D, p.ldv, p.Tk - k0, kBc, D, p.Dp);
        __syncthreads();
        detail::tile_gemm<false, false, true>(s, kBc, qs, ldt, ks, ldt, kBr, kBc, p.Dp);
        __syncthreads();
        for (int r = warp; r < kBr; r += warps) {
            const int64_t i = q0 + r, j = k0 + lane;
            const bool visible = i < p.Tq && j < attn::key_limit(key_len, p, b, i);
            const float sv = visible ? s[r * kBc + lane] * p.scale : -INFINITY;
            const float m_old = m[r];
            const float m_new = fmaxf(m_old, attn::warp_max(sv));
            float pr = visible ? expf(sv - m_new) : 0.f;
            // No visible key yet (m_new = -inf): nothing to rescale, and e^(-inf + inf) is NaN.
            const float a = m_new == -INFINITY ? 1.f : expf(m_old - m_new);
            const float sum = detail::warp_sum(pr);
            if (lane == 0) m[r] = m_new, l[r] = l[r] * a + sum, alpha[r] = a;
            if (visible) pr *= attn::keep_factor(p, bh, i, j);
            pw[r * ldp + lane] = detail::from_float<T>(pr);
        }
        __syncthreads();
        for (int idx = int(threadIdx.x); idx < kBr * D; idx += kThreads) o[idx] *= alpha[idx / D];
        __syncthreads();
        detail::tile_gemm<true, false, false>(o, D, pw, ldp, vs, ldt, kBr, D, kBc);
    }
    __syncthreads();
    for (int idx = int(threadIdx.x); idx < kBr * D; idx += kThreads) {
        const int r = idx / D, c = idx % D;
        if (q0 + r < p.Tq) out[(b * p.Tq + q0 + r) * p.ldo + h * D + c] = detail::from_float<T>(o[idx] / l[r]);
    }
    for (int r = int(threadIdx.x); r < kBr; r += kThreads)
        if (q0 + r < p.Tq) lse[bh * p.Tq + q0 + r] = m[r] + logf(l[r]);
}

}  // namespace

template <typename T>
void attention_forward(T* out, float* lse, const T* q, const T* k, const T* v, const int64_t* key_len,
                       bool causal, float dropout_p, uint64_t dropout_key, const AttentionDims& d,
                       cudaStream_t stream) {
    attn::check_dims(d, dropout_p, "attention_forward");
    if (d.B == 0 || d.Tq == 0) return;
    const Params p = attn::make_params(d, causal, dropout_p, dropout_key);
    const size_t bytes = attn::fwd_layout<T>(p.D, p.Dp).bytes;
    attn::prepare_smem(forward_kernel<T>, bytes, "attention_forward");
    const dim3 grid(unsigned((d.Tq + kBr - 1) / kBr), unsigned(d.H), unsigned(d.B));
    forward_kernel<T><<<grid, kThreads, bytes, stream>>>(out, lse, q, k, v, key_len, p);
    DEEPNET_CUDA_LAUNCH_CHECK();
}

template void attention_forward<float>(float*, float*, const float*, const float*, const float*, const int64_t*,
                                       bool, float, uint64_t, const AttentionDims&, cudaStream_t);
template void attention_forward<bf16>(bf16*, float*, const bf16*, const bf16*, const bf16*, const int64_t*, bool,
                                      float, uint64_t, const AttentionDims&, cudaStream_t);

}  // namespace deepnet::kernels::cuda
