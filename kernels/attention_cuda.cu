// Attention forward and backward on the GPU (see attention.h).
//
// Forward, flash-style (one pass, online softmax, no Tq x Tk matrix in
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
//
// Backward, the FlashAttention-2 scheme: P is recomputed from q, k and
// the forward's lse, never read from memory. With keep_ij the dropout factor (0 or 1/(1-p),
// the CPU twin's draw) and scale = 1/sqrt(D):
//   P_ij = exp(scale q_i . k_j - lse_i)          (0 where masked)
//   dP_ij = keep_ij dout_i . v_j
//   D_i = sum_j P_ij dP_ij = dout_i . out_i      (the forward's output: one dot per row)
//   dS_ij = P_ij (dP_ij - D_i) scale
//   dv_j = sum_i P_ij keep_ij dout_i,  dk_j = sum_i dS_ij q_i,  dq_i = sum_j dS_ij k_j
// Three kernels, no atomics, so the gradients repeat bit for bit:
//   1. row_dot: D_i for every row (a warp per row), into the caller's scratch;
//   2. dkdv: one block (4 warps) per (key tile of kBc = 32, head, sentence). It holds k, v
//      and fp32 accumulators for dk, dv in shared memory and walks the query tiles (kBr =
//      32; with causal, from the tile holding query k0): S = q k^T and dP' = dout v^T by the
//      block GEMM, then P keep and dS elementwise (stored as T: the A operands, transposed
//      by ldmatrix.trans in bf16), then dv += (P keep)^T dout and dk += dS^T q. Key tiles
//      past key_len write zeros;
//   3. dq: one block per query tile walks the key tiles as the forward does, recomputing S,
//      dP' and dS, and adds dq += dS k. Recomputing S and dP' once more costs two of the
//      five tile products, and buys a dq summed in a fixed order without atomics or
//      per-key-tile partials in global memory.
// Shared memory (bwd_layout in attention_tiles.cuh), with ldt = roundup16(D) + 8:
//   q, dout, k, v: 4 x 32 x ldt x sizeof(T); S, dP': 2 x 32 x 32 x 4; P keep, dS: 2 x 32 x 40
//   x sizeof(T); two accumulators 2 x 32 x D x 4; lse, D_i: 2 x 32 x 4.
//   bf16 D = 64: 47 KB, D = 128: 79 KB; float D = 64: 70 KB, D = 128: 118 KB.
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

// ---- backward ----

// D_i = dout_i . out_i (fp32, from the stored values), row R = (b H + h) Tq + i.
template <typename T>
__global__ void __launch_bounds__(kThreads) row_dot_kernel(float* dlt, const T* dout, const T* out, Params p) {
    const int64_t R = int64_t(blockIdx.x) * (kThreads / 32) + (threadIdx.x >> 5);
    if (R >= p.B * p.H * p.Tq) return;
    const int lane = int(threadIdx.x) & 31;
    const int64_t i = R % p.Tq, bh = R / p.Tq, h = bh % p.H, b = bh / p.H;
    const int64_t row = (b * p.Tq + i) * p.ldo + h * p.D;
    float acc = 0.f;
    for (int c = lane; c < p.D; c += 32) acc += detail::to_float(dout[row + c]) * detail::to_float(out[row + c]);
    acc = detail::warp_sum(acc);
    if (lane == 0) dlt[R] = acc;
}

// The pointers of bwd_layout in the block's shared memory.
template <typename T>
struct Tiles {
    T *q, *dout, *k, *v, *pw, *ds;
    float *s, *dp, *acc0, *acc1, *lse, *dlt;
    __device__ explicit Tiles(uint8_t* smem, const Params& p) {
        const attn::BwdLayout L = attn::bwd_layout<T>(p.D, p.Dp);
        q = reinterpret_cast<T*>(smem + L.q), dout = reinterpret_cast<T*>(smem + L.dout);
        k = reinterpret_cast<T*>(smem + L.k), v = reinterpret_cast<T*>(smem + L.v);
        pw = reinterpret_cast<T*>(smem + L.pw), ds = reinterpret_cast<T*>(smem + L.ds);
        s = reinterpret_cast<float*>(smem + L.s), dp = reinterpret_cast<float*>(smem + L.dp);
        acc0 = reinterpret_cast<float*>(smem + L.acc0), acc1 = reinterpret_cast<float*>(smem + L.acc1);
        lse = reinterpret_cast<float*>(smem + L.lse), dlt = reinterpret_cast<float*>(smem + L.dlt);
    }
};

// Loads the query tile at q0: q, dout, and the rows' lse and D_i (0 past Tq: masked rows).
template <typename T>
__device__ __forceinline__ void load_query_tile(const Tiles<T>& t, const Params& p, const T* q, const T* dout,
                                                const float* lse, const float* dlt, int64_t b, int64_t h,
                                                int64_t q0) {
    const int ldt = p.Dp + kPad;
    attn::load_tile(t.q, ldt, q + (b * p.Tq + q0) * p.ldq + h * p.D, p.ldq, p.Tq - q0, kBr, p.D, p.Dp);
    attn::load_tile(t.dout, ldt, dout + (b * p.Tq + q0) * p.ldo + h * p.D, p.ldo, p.Tq - q0, kBr, p.D, p.Dp);
    const int64_t first = (b * p.H + h) * p.Tq + q0;
    for (int r = int(threadIdx.x); r < kBr; r += kThreads) {
        t.lse[r] = q0 + r < p.Tq ? lse[first + r] : 0.f;
        t.dlt[r] = q0 + r < p.Tq ? dlt[first + r] : 0.f;
    }
}

template <typename T>
__device__ __forceinline__ void load_key_tile(const Tiles<T>& t, const Params& p, const T* k, const T* v,
                                              int64_t b, int64_t h, int64_t k0) {
    const int ldt = p.Dp + kPad;
    attn::load_tile(t.k, ldt, k + (b * p.Tk + k0) * p.ldk + h * p.D, p.ldk, p.Tk - k0, kBc, p.D, p.Dp);
    attn::load_tile(t.v, ldt, v + (b * p.Tk + k0) * p.ldv + h * p.D, p.ldv, p.Tk - k0, kBc, p.D, p.Dp);
}

// With the q, dout, k, v tiles loaded: S and dP' by the block GEMM, then P keep (when kPw)
// and dS as T. Synchronises before returning, so the caller may read pw and ds.
template <typename T, bool kPw>
__device__ __forceinline__ void scores_and_grads(const Tiles<T>& t, const Params& p, const int64_t* key_len,
                                                 int64_t b, int64_t h, int64_t q0, int64_t k0) {
    const int ldt = p.Dp + kPad, ldp = kBc + kPad;
    detail::tile_gemm<false, false, true>(t.s, kBc, t.q, ldt, t.k, ldt, kBr, kBc, p.Dp);
    detail::tile_gemm<false, false, true>(t.dp, kBc, t.dout, ldt, t.v, ldt, kBr, kBc, p.Dp);
    __syncthreads();
    const int64_t bh = b * p.H + h;
    for (int idx = int(threadIdx.x); idx < kBr * kBc; idx += kThreads) {
        const int r = idx / kBc, c = idx % kBc;
        const int64_t i = q0 + r, j = k0 + c;
        float w = 0.f, d = 0.f;
        if (i < p.Tq && j < attn::key_limit(key_len, p, b, i)) {
            const float pr = expf(t.s[idx] * p.scale - t.lse[r]);
            const float keep = attn::keep_factor(p, bh, i, j);
            w = pr * keep;
            d = pr * (t.dp[idx] * keep - t.dlt[r]) * p.scale;
        }
        if (kPw) t.pw[r * ldp + c] = detail::from_float<T>(w);
        t.ds[r * ldp + c] = detail::from_float<T>(d);
    }
    __syncthreads();
}

template <typename T>
__global__ void __launch_bounds__(kThreads)
    dkdv_kernel(T* dk, T* dv, const T* dout, const float* lse, const float* dlt, const T* q, const T* k,
                const T* v, const int64_t* key_len, Params p) {
    extern __shared__ __align__(16) uint8_t smem[];
    const Tiles<T> t(smem, p);
    const int64_t b = blockIdx.z, h = blockIdx.y, k0 = int64_t(blockIdx.x) * kBc;
    const int D = p.D, ldt = p.Dp + kPad, ldp = kBc + kPad;
    load_key_tile(t, p, k, v, b, h, k0);
    for (int idx = int(threadIdx.x); idx < kBc * D; idx += kThreads) t.acc0[idx] = 0.f, t.acc1[idx] = 0.f;
    if (k0 < key_len[b]) {  // else every key of the tile is masked: dk = dv = 0
        for (int64_t q0 = p.causal ? k0 / kBr * kBr : 0; q0 < p.Tq; q0 += kBr) {
            __syncthreads();  // the previous query tile is no longer read
            load_query_tile(t, p, q, dout, lse, dlt, b, h, q0);
            __syncthreads();
            scores_and_grads<T, true>(t, p, key_len, b, h, q0, k0);
            detail::tile_gemm<true, true, false>(t.acc1, D, t.pw, ldp, t.dout, ldt, kBc, D, kBr);  // dv
            detail::tile_gemm<true, true, false>(t.acc0, D, t.ds, ldp, t.q, ldt, kBc, D, kBr);     // dk
        }
    }
    __syncthreads();
    for (int idx = int(threadIdx.x); idx < kBc * D; idx += kThreads) {
        const int r = idx / D, c = idx % D;
        if (k0 + r >= p.Tk) continue;
        dk[(b * p.Tk + k0 + r) * p.ldk + h * D + c] = detail::from_float<T>(t.acc0[idx]);
        dv[(b * p.Tk + k0 + r) * p.ldv + h * D + c] = detail::from_float<T>(t.acc1[idx]);
    }
}

template <typename T>
__global__ void __launch_bounds__(kThreads)
    dq_kernel(T* dq, const T* dout, const float* lse, const float* dlt, const T* q, const T* k, const T* v,
              const int64_t* key_len, Params p) {
    extern __shared__ __align__(16) uint8_t smem[];
    const Tiles<T> t(smem, p);
    const int64_t b = blockIdx.z, h = blockIdx.y, q0 = int64_t(blockIdx.x) * kBr;
    const int D = p.D, ldt = p.Dp + kPad, ldp = kBc + kPad;
    load_query_tile(t, p, q, dout, lse, dlt, b, h, q0);
    for (int idx = int(threadIdx.x); idx < kBr * D; idx += kThreads) t.acc0[idx] = 0.f;
    const int64_t kend = attn::key_end(key_len, p, b, q0);
    for (int64_t k0 = 0; k0 < kend; k0 += kBc) {
        __syncthreads();  // the previous key tile is no longer read
        load_key_tile(t, p, k, v, b, h, k0);
        __syncthreads();
        scores_and_grads<T, false>(t, p, key_len, b, h, q0, k0);
        detail::tile_gemm<true, false, false>(t.acc0, D, t.ds, ldp, t.k, ldt, kBr, D, kBc);
    }
    __syncthreads();
    for (int idx = int(threadIdx.x); idx < kBr * D; idx += kThreads) {
        const int r = idx / D, c = idx % D;
        if (q0 + r < p.Tq) dq[(b * p.Tq + q0 + r) * p.ldq + h * D + c] = detail::from_float<T>(t.acc0[idx]);
    }
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

int64_t attention_backward_scratch_floats(const AttentionDims& d) { return d.B * d.H * d.Tq; }

template <typename T>
void attention_backward(T* dq, T* dk, T* dv, const T* dout, const float* lse, const T* out, const T* q,
                        const T* k, const T* v, const int64_t* key_len, bool causal, float dropout_p,
                        uint64_t dropout_key, const AttentionDims& d, float* scratch, cudaStream_t stream) {
    attn::check_dims(d, dropout_p, "attention_backward");
    if (d.B == 0) return;
    const Params p = attn::make_params(d, causal, dropout_p, dropout_key);
    const size_t bytes = attn::bwd_layout<T>(p.D, p.Dp).bytes;
    attn::prepare_smem(dkdv_kernel<T>, bytes, "attention_backward");
    attn::prepare_smem(dq_kernel<T>, bytes, "attention_backward");
    if (d.Tq > 0) {
        const int64_t rows = d.B * d.H * d.Tq, per_block = kThreads / 32;
        row_dot_kernel<T><<<unsigned((rows + per_block - 1) / per_block), kThreads, 0, stream>>>(scratch, dout,
                                                                                                 out, p);
        DEEPNET_CUDA_LAUNCH_CHECK();
    }
    const dim3 kgrid(unsigned((d.Tk + kBc - 1) / kBc), unsigned(d.H), unsigned(d.B));
    dkdv_kernel<T><<<kgrid, kThreads, bytes, stream>>>(dk, dv, dout, lse, scratch, q, k, v, key_len, p);
    DEEPNET_CUDA_LAUNCH_CHECK();
    if (d.Tq > 0) {
        const dim3 qgrid(unsigned((d.Tq + kBr - 1) / kBr), unsigned(d.H), unsigned(d.B));
        dq_kernel<T><<<qgrid, kThreads, bytes, stream>>>(dq, dout, lse, scratch, q, k, v, key_len, p);
        DEEPNET_CUDA_LAUNCH_CHECK();
    }
}

template void attention_backward<float>(float*, float*, float*, const float*, const float*, const float*,
                                        const float*, const float*, const float*, const int64_t*, bool, float,
                                        uint64_t, const AttentionDims&, float*, cudaStream_t);
template void attention_backward<bf16>(bf16*, bf16*, bf16*, const bf16*, const float*, const bf16*, const bf16*,
                                       const bf16*, const bf16*, const int64_t*, bool, float, uint64_t,
                                       const AttentionDims&, float*, cudaStream_t);

}  // namespace deepnet::kernels::cuda
