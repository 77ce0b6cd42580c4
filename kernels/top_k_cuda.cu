// Per-row top-k of beam search on the GPU (see top_k.h): one block per row, the row taken
// in tiles of kThreads tokens (one per thread) against a running best list in shared memory.
//   order:  a before b  iff  a.score > b.score, or equal scores and a.token < b.token
//           (a strict total order on a row's tokens, so every rank below is unique);
//   filter: once the list holds k entries, a token enters only if it precedes the k-th;
//   merge:  each entering token's new rank = list entries before it + entering tokens
//           before it; each list entry's = its old rank + entering tokens before it; ranks
//           below k are written to the other of two buffers (no atomics, no sort).
// After the first tiles few tokens pass the filter, and a tile that lets none in costs one
// read per thread and two barriers.
// The logits variant first takes the row's log-sum-exp (kernels/row_lse.cuh, the pass of
// log_softmax_forward) and ranks x - lse rounded to T as log_softmax_forward stores it: the
// same candidates in two reads of the row instead of log_softmax's two reads and one write
// plus this kernel's read.
#include "kernels/cuda_utils.cuh"
#include "kernels/row_lse.cuh"
#include "kernels/top_k.h"

#include <string>

namespace deepnet::kernels::cuda {
namespace {

using detail::from_float;
using detail::to_float;

constexpr int kThreads = detail::kLseThreads;
constexpr int kMaxK = int(top_k_max_k);

__device__ __forceinline__ bool before(double sa, int64_t wa, double sb, int64_t wb) {
    return sa > sb || (sa == sb && wa < wb);
}

// kLogits: the rows are logits (normalised here); VW: the vector width of the lse pass.
template <typename T, bool kLogits, int VW>
__global__ void __launch_bounds__(kThreads)
    top_k_kernel(double* scores, int64_t* tokens, int64_t* count, const T* logp, const double* base,
                 const int64_t* banned, const int64_t* banned_last, const int64_t* last, int k,
                 int64_t V) {
    __shared__ double best_s[2][kMaxK];
    __shared__ int64_t best_w[2][kMaxK];
    __shared__ double tile_s[kThreads];
    __shared__ int64_t tile_w[kThreads];  // -1: this thread's token does not enter
    __shared__ int any[2];                // per tile parity: some token enters
    const int64_t n = blockIdx.x;
    const int t = threadIdx.x;
    const int64_t* mask = last[n] ? banned_last : banned;
    const double b = base[n];
    const T* row = logp + n * V;
    const float lse = kLogits ? detail::row_lse<T, VW>(row, V) : 0.f;
    if (t < 2) any[t] = 0;
    __syncthreads();
    int cur = 0, nb = 0, parity = 0;
    for (int64_t w0 = 0; w0 < V; w0 += kThreads, parity ^= 1) {
        const int64_t w = w0 + t;
        double s = 0;
        bool enter = false;
        if (w < V && !mask[w]) {
            const float x = to_float(row[w]);
            s = b + double(kLogits ? to_float(from_float<T>(x - lse)) : x);
            enter = nb < k || before(s, w, best_s[cur][k - 1], best_w[cur][k - 1]);
        }
        tile_s[t] = s;
        tile_w[t] = enter ? w : -1;
        if (enter) any[parity] = 1;
        __syncthreads();
        const bool merge = any[parity] != 0;  // the same for every thread
        // The next tile's flag: its last readers (the previous tile) passed the barrier above.
        if (t == 0) any[parity ^ 1] = 0;
        if (merge) {
            const int nxt = cur ^ 1;
            int entering = 0;
            for (int j = 0; j < kThreads; ++j) entering += tile_w[j] >= 0;
            if (enter) {
                int rank = 0;
                for (int i = 0; i < nb; ++i) rank += before(best_s[cur][i], best_w[cur][i], s, w);
                for (int j = 0; j < kThreads; ++j) rank += tile_w[j] >= 0 && before(tile_s[j], tile_w[j], s, w);
                if (rank < k) best_s[nxt][rank] = s, best_w[nxt][rank] = w;
            }
            for (int i = t; i < nb; i += kThreads) {
                const double es = best_s[cur][i];
                const int64_t ew = best_w[cur][i];
                int rank = i;
                for (int j = 0; j < kThreads; ++j) rank += tile_w[j] >= 0 && before(tile_s[j], tile_w[j], es, ew);
                if (rank < k) best_s[nxt][rank] = es, best_w[nxt][rank] = ew;
            }
            nb = nb + entering < k ? nb + entering : k;
            cur = nxt;
        }
        // The merged list is complete before the next tile filters against it, and the tile
        // arrays are read out before the next tile overwrites them.
        __syncthreads();
    }
    for (int i = t; i < nb; i += kThreads) {
        scores[n * k + i] = best_s[cur][i];
        tokens[n * k + i] = best_w[cur][i];
    }
    if (t == 0) count[n] = nb;
}

}  // namespace

namespace {
template <typename T>
void launch(double* scores, int64_t* tokens, int64_t* count, const T* logp, const double* base,
            const int64_t* banned, const int64_t* banned_last, const int64_t* last, int64_t k, bool logits,
            int64_t N, int64_t V, cudaStream_t stream) {
    if (k < 1 || k > kMaxK)
        throw std::runtime_error("top_k_rows: k = " + std::to_string(k) + " not in [1, " +
                                 std::to_string(kMaxK) + "] on CUDA");
    if (N <= 0) return;
    const unsigned blocks = unsigned(N);
    if (!logits)
        top_k_kernel<T, false, 1><<<blocks, kThreads, 0, stream>>>(scores, tokens, count, logp, base, banned,
                                                                    banned_last, last, int(k), V);
    else if (V % detail::kVec<T> == 0 && detail::aligned16(logp))
        top_k_kernel<T, true, detail::kVec<T>><<<blocks, kThreads, 0, stream>>>(scores, tokens, count, logp, base,
                                                                               banned, banned_last, last, int(k), V);
    else
        top_k_kernel<T, true, 1><<<blocks, kThreads, 0, stream>>>(scores, tokens, count, logp, base, banned,
                                                                   banned_last, last, int(k), V);
    DEEPNET_CUDA_LAUNCH_CHECK();
}
}  // namespace

template <typename T>
void top_k_rows(double* scores, int64_t* tokens, int64_t* count, const T* logp, const double* base,
                const int64_t* banned, const int64_t* banned_last, const int64_t* last, int64_t k,
                int64_t N, int64_t V, cudaStream_t stream) {
    launch(scores, tokens, count, logp, base, banned, banned_last, last, k, false, N, V, stream);
}

template <typename T>
void top_k_rows_of_logits(double* scores, int64_t* tokens, int64_t* count, const T* logits, const double* base,
                          const int64_t* banned, const int64_t* banned_last, const int64_t* last, int64_t k,
                          int64_t N, int64_t V, cudaStream_t stream) {
    launch(scores, tokens, count, logits, base, banned, banned_last, last, k, true, N, V, stream);
}

#define DEEPNET_INSTANTIATE(T)                                                                                 \
    template void top_k_rows<T>(double*, int64_t*, int64_t*, const T*, const double*, const int64_t*,          \
                                const int64_t*, const int64_t*, int64_t, int64_t, int64_t, cudaStream_t);      \
    template void top_k_rows_of_logits<T>(double*, int64_t*, int64_t*, const T*, const double*, const int64_t*, \
                                          const int64_t*, const int64_t*, int64_t, int64_t, int64_t, cudaStream_t);
DEEPNET_INSTANTIATE(float)
DEEPNET_INSTANTIATE(bf16)
#undef DEEPNET_INSTANTIATE

}  // namespace deepnet::kernels::cuda
