// Inverted dropout on the GPU:  y[i] = x[i] * keep(i) / (1 - p),  keep(i) = uniform01(key, i) >= p
// The mask comes from kernels/counter_rng.h, the same function the CPU twin calls, so the
// masks are equal bit for bit and backward, recompute and the CPU regenerate it from
// (key, i) without storing it. Backward is the same map applied to dy. In place allowed.
#include "kernels/counter_rng.h"
#include "kernels/dropout.h"
#include "kernels/cuda_utils.cuh"

#include <algorithm>

namespace deepnet::kernels::cuda {
namespace {

using detail::aligned16;
using detail::kVec;
using detail::load;
using detail::store;

constexpr int kThreads = 256;

// VW elements per step (a 16-byte vector, or 1 when unaligned); the mask of element i
// depends on i alone, never on the launch shape.
template <typename T, int VW>
__global__ void __launch_bounds__(kThreads)
    dropout_kernel(T* y, const T* x, int64_t n, float p, float scale, uint64_t key) {
    const int64_t stride = int64_t(gridDim.x) * blockDim.x * VW;
    for (int64_t i = (int64_t(blockIdx.x) * blockDim.x + threadIdx.x) * VW; i < n; i += stride) {
        if (VW > 1 && i + VW > n) {  // ragged end of a vectorised pass
            for (int64_t k = i; k < n; ++k)
                y[k] = detail::from_float<T>(
                    uniform01(key, uint64_t(k)) >= p ? detail::to_float(x[k]) * scale : 0.f);
            continue;
        }
        float v[VW];
        load<T, VW>(x + i, v);
#pragma unroll
        for (int j = 0; j < VW; ++j)
            v[j] = uniform01(key, uint64_t(i + j)) >= p ? v[j] * scale : 0.f;
        store<T, VW>(y + i, v);
    }
}

template <typename T>
void launch(T* y, const T* x, int64_t n, float p, uint64_t key, cudaStream_t stream) {
    if (n <= 0) return;
    if (p <= 0.f) {
        if (y != x)
            CUDA_CHECK(
                cudaMemcpyAsync(y, x, size_t(n) * sizeof(T), cudaMemcpyDeviceToDevice, stream));
        return;
    }
    // The CPU computes T(1) / (T(1) - p) in float: the same division, so the same scale.
    const float scale = 1.f / (1.f - p);
    const int64_t cap = 4 * int64_t(detail::sm_count()) * (2048 / kThreads);
    if (aligned16(y) && aligned16(x)) {
        constexpr int VW = kVec<T>;
        const int64_t blocks = std::min<int64_t>((n / VW + kThreads) / kThreads, cap);
        dropout_kernel<T, VW><<<unsigned(blocks), kThreads, 0, stream>>>(y, x, n, p, scale, key);
    } else {
        const int64_t blocks = std::min<int64_t>((n + kThreads - 1) / kThreads, cap);
        dropout_kernel<T, 1><<<unsigned(blocks), kThreads, 0, stream>>>(y, x, n, p, scale, key);
    }
    DEEPNET_CUDA_LAUNCH_CHECK();
}

}  // namespace

template <typename T>
void dropout_forward(T* y, const T* x, float p, uint64_t key, int64_t n, cudaStream_t stream) {
    launch(y, x, n, p, key, stream);
}

template <typename T>
void dropout_backward(T* dx, const T* dy, float p, uint64_t key, int64_t n, cudaStream_t stream) {
    launch(dx, dy, n, p, key, stream);
}

template void dropout_forward<float>(float*, const float*, float, uint64_t, int64_t, cudaStream_t);
template void dropout_forward<bf16>(bf16*, const bf16*, float, uint64_t, int64_t, cudaStream_t);
template void dropout_backward<float>(float*, const float*, float, uint64_t, int64_t, cudaStream_t);
template void dropout_backward<bf16>(bf16*, const bf16*, float, uint64_t, int64_t, cudaStream_t);

}  // namespace deepnet::kernels::cuda
