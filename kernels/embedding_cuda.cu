// Token embedding + sinusoidal positions on the GPU:
//   y[n] = table[tokens[n]] * scale + pos_table[positions[n]]     y: (N, C)
// Forward: one warp per row, 16-byte vectors when C and the pointers allow.
// Backward: dtable[tokens[n]] += dy[n] * scale, except rows of skip_token. Deterministic
// without atomics: a stable radix sort of the (token, row) pairs puts each token's rows
// together in row order; one block per distinct token (per column slice) starts from the
// current dtable row and adds its rows in that order, which is the CPU twin's order.
#include "kernels/embedding.h"
#include "kernels/cuda_utils.cuh"

#include <cub/device/device_radix_sort.cuh>

#include <algorithm>

namespace deepnet::kernels::cuda {
namespace {

using detail::aligned16;
using detail::kVec;
using detail::load;
using detail::store;

constexpr int kRowsPerBlock = 8;
constexpr int kSliceThreads = 128;

template <typename T, int V>
__global__ void __launch_bounds__(kRowsPerBlock * 32)
    forward_kernel(T* y, const int64_t* tokens, const int64_t* positions, const T* table,
                   const T* pos_table, float scale, int64_t N, int64_t C) {
    const int lane = threadIdx.x & 31;
    const int64_t n = int64_t(blockIdx.x) * kRowsPerBlock + (threadIdx.x >> 5);
    if (n >= N) return;
    const T* e = table + tokens[n] * C;
    const T* pe = pos_table + positions[n] * C;
    T* yr = y + n * C;
    for (int64_t c = int64_t(lane) * V; c < C; c += 32 * V) {
        float a[V], b[V];
        load<T, V>(e + c, a);
        load<T, V>(pe + c, b);
#pragma unroll
        for (int j = 0; j < V; ++j) a[j] = a[j] * scale + b[j];
        store<T, V>(yr + c, a);
    }
}

__global__ void iota_kernel(int64_t* idx, int64_t N) {
    const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i < N) idx[i] = i;
}

// Block (i, slice): if sorted position i starts a run of equal tokens, add the run's rows
// in row order into dtable[token], columns of this slice.
template <typename T, int V>
__global__ void __launch_bounds__(kSliceThreads)
    accumulate_kernel(float* dtable, const T* dy, const int64_t* keys, const int64_t* rows,
                      float scale, int64_t skip_token, int64_t N, int64_t C) {
    const int64_t i = blockIdx.x;
    const int64_t token = keys[i];
    if (token == skip_token || (i > 0 && keys[i - 1] == token)) return;
    int64_t end = i + 1;
    while (end < N && keys[end] == token) ++end;
    const int64_t c = (int64_t(blockIdx.y) * kSliceThreads + threadIdx.x) * V;
    if (c >= C) return;
    float* d = dtable + token * C + c;
    float acc[V];
    load<float, V>(d, acc);
    for (int64_t k = i; k < end; ++k) {
        float g[V];
        load<T, V>(dy + rows[k] * C + c, g);
#pragma unroll
        for (int j = 0; j < V; ++j) acc[j] += g[j] * scale;
    }
    store<float, V>(d, acc);
}

int end_bit_for(int64_t V) {
    int bits = 1;
    while (bits < 63 && (int64_t(1) << bits) < V) ++bits;
    return bits;
}

size_t align256(size_t b) { return (b + 255) & ~size_t(255); }

size_t sort_temp_bytes(int64_t N, int64_t V) {
    size_t bytes = 0;
    CUDA_CHECK(cub::DeviceRadixSort::SortPairs(
        nullptr, bytes, static_cast<const int64_t*>(nullptr), static_cast<int64_t*>(nullptr),
        static_cast<const int64_t*>(nullptr), static_cast<int64_t*>(nullptr), N, 0,
        end_bit_for(V)));
    return bytes;
}

}  // namespace

template <typename T>
void embedding_forward(T* y, const int64_t* tokens, const int64_t* positions, const T* table,
                       const T* pos_table, float scale, int64_t N, int64_t C, cudaStream_t stream) {
    if (N <= 0 || C <= 0) return;
    const dim3 grid(unsigned((N + kRowsPerBlock - 1) / kRowsPerBlock));
    const bool vec = C % kVec<T> == 0 && aligned16(y) && aligned16(table) && aligned16(pos_table);
    if (vec)
        forward_kernel<T, kVec<T>><<<grid, kRowsPerBlock * 32, 0, stream>>>(
            y, tokens, positions, table, pos_table, scale, N, C);
    else
        forward_kernel<T, 1><<<grid, kRowsPerBlock * 32, 0, stream>>>(y, tokens, positions, table,
                                                                      pos_table, scale, N, C);
    DEEPNET_CUDA_LAUNCH_CHECK();
}

// Layout of scratch: sorted keys | row ids | sorted row ids | radix-sort temporary storage.
size_t embedding_backward_scratch_bytes(int64_t N, int64_t V) {
    if (N <= 0) return 0;
    return 3 * align256(size_t(N) * sizeof(int64_t)) + align256(sort_temp_bytes(N, V));
}

template <typename T>
void embedding_backward(float* dtable, const T* dy, const int64_t* tokens, float scale,
                        int64_t skip_token, int64_t N, int64_t C, int64_t V, void* scratch,
                        size_t scratch_bytes, cudaStream_t stream) {
    if (N <= 0 || C <= 0) return;
    const size_t need = embedding_backward_scratch_bytes(N, V);
    if (!scratch || scratch_bytes < need)
        throw std::runtime_error("embedding_backward: scratch of " + std::to_string(scratch_bytes) +
                                 " bytes, needs " + std::to_string(need));
    char* base = static_cast<char*>(scratch);
    const size_t slot = align256(size_t(N) * sizeof(int64_t));
    auto* keys = reinterpret_cast<int64_t*>(base);
    auto* rows_in = reinterpret_cast<int64_t*>(base + slot);
    auto* rows = reinterpret_cast<int64_t*>(base + 2 * slot);
    size_t temp_bytes = need - 3 * slot;
    iota_kernel<<<unsigned((N + 255) / 256), 256, 0, stream>>>(rows_in, N);
    DEEPNET_CUDA_LAUNCH_CHECK();
    // LSD radix sort is stable: equal tokens keep their row order.
    CUDA_CHECK(cub::DeviceRadixSort::SortPairs(base + 3 * slot, temp_bytes, tokens, keys, rows_in,
                                               rows, N, 0, end_bit_for(V), stream));
    const bool vec = C % kVec<T> == 0 && aligned16(dy) && aligned16(dtable);
    if (vec) {
        constexpr int VW = kVec<T>;  // one 16-byte load of dy per row; fp32 accumulators
        const int64_t slices = (C / VW + kSliceThreads - 1) / kSliceThreads;
        accumulate_kernel<T, VW><<<dim3(unsigned(N), unsigned(slices)), kSliceThreads, 0, stream>>>(
            dtable, dy, keys, rows, scale, skip_token, N, C);
    } else {
        const int64_t slices = (C + kSliceThreads - 1) / kSliceThreads;
        accumulate_kernel<T, 1><<<dim3(unsigned(N), unsigned(slices)), kSliceThreads, 0, stream>>>(
            dtable, dy, keys, rows, scale, skip_token, N, C);
    }
    DEEPNET_CUDA_LAUNCH_CHECK();
}

#define DEEPNET_INSTANTIATE(T)                                                                     \
    template void embedding_forward<T>(T*, const int64_t*, const int64_t*, const T*, const T*,     \
                                       float, int64_t, int64_t, cudaStream_t);                     \
    template void embedding_backward<T>(float*, const T*, const int64_t*, float, int64_t, int64_t, \
                                        int64_t, int64_t, void*, size_t, cudaStream_t);
DEEPNET_INSTANTIATE(float)
DEEPNET_INSTANTIATE(bf16)
#undef DEEPNET_INSTANTIATE

}  // namespace deepnet::kernels::cuda
