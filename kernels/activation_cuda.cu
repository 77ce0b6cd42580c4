// FFN activations on the GPU, elementwise (see activation.h):
//   relu(a) = max(a, 0);  gelu(a) = 0.5 a (1 + erf(a / sqrt 2))   (exact, not the tanh form)
// Backward: da = dh * act'(a) (=), gelu'(a) = Phi(a) + a phi(a); da may alias dh.
// fp32 arithmetic on float or bf16 storage, 16-byte vectors when the pointers allow.
#include "kernels/activation.h"
#include "kernels/cuda_utils.cuh"

#include <algorithm>

namespace deepnet::kernels::cuda {
namespace {

using detail::aligned16;
using detail::kVec;
using detail::load;
using detail::store;

constexpr int kThreads = 256;

__device__ __forceinline__ float act(float a, ActKind kind) {
    if (kind == ActKind::ReLU) return a > 0.f ? a : 0.f;
    return 0.5f * a * (1.f + erff(a * 0.70710678118654752440f));
}

__device__ __forceinline__ float act_grad(float dh, float a, ActKind kind) {
    if (kind == ActKind::ReLU) return a > 0.f ? dh : 0.f;
    const float cdf = 0.5f * (1.f + erff(a * 0.70710678118654752440f));
    const float pdf = 0.39894228040143267794f * expf(-0.5f * a * a);
    return dh * (cdf + a * pdf);
}

// out[i] = act(a[i]) (dh null) or act_grad(dh[i], a[i]); VW elements per step.
template <typename T, int VW>
__global__ void __launch_bounds__(kThreads)
    act_kernel(T* out, const T* dh, const T* a, int64_t n, ActKind kind) {
    const int64_t stride = int64_t(gridDim.x) * blockDim.x * VW;
    for (int64_t i = (int64_t(blockIdx.x) * blockDim.x + threadIdx.x) * VW; i < n; i += stride) {
        if (VW > 1 && i + VW > n) {  // ragged end of a vectorised pass
            for (int64_t k = i; k < n; ++k) {
                const float av = detail::to_float(a[k]);
                out[k] = detail::from_float<T>(dh ? act_grad(detail::to_float(dh[k]), av, kind)
                                                  : act(av, kind));
            }
            continue;
        }
        float av[VW], r[VW];
        load<T, VW>(a + i, av);
        if (dh) {
            load<T, VW>(dh + i, r);
#pragma unroll
            for (int j = 0; j < VW; ++j) r[j] = act_grad(r[j], av[j], kind);
        } else {
#pragma unroll
            for (int j = 0; j < VW; ++j) r[j] = act(av[j], kind);
        }
        store<T, VW>(out + i, r);
    }
}

template <typename T>
void launch(T* out, const T* dh, const T* a, int64_t n, ActKind kind, cudaStream_t stream) {
    if (n <= 0) return;
    const int64_t cap = 4 * int64_t(detail::sm_count()) * (2048 / kThreads);
    if (aligned16(out) && aligned16(a) && (!dh || aligned16(dh))) {
        constexpr int VW = kVec<T>;
        const int64_t blocks = std::min<int64_t>((n / VW + kThreads) / kThreads, cap);
        act_kernel<T, VW><<<unsigned(blocks), kThreads, 0, stream>>>(out, dh, a, n, kind);
    } else {
        const int64_t blocks = std::min<int64_t>((n + kThreads - 1) / kThreads, cap);
        act_kernel<T, 1><<<unsigned(blocks), kThreads, 0, stream>>>(out, dh, a, n, kind);
    }
    DEEPNET_CUDA_LAUNCH_CHECK();
}

}  // namespace

template <typename T>
void activation_forward(T* h, const T* a, ActKind kind, int64_t n, cudaStream_t stream) {
    launch<T>(h, nullptr, a, n, kind, stream);
}

template <typename T>
void activation_backward(T* da, const T* dh, const T* a, ActKind kind, int64_t n, cudaStream_t stream) {
    launch<T>(da, dh, a, n, kind, stream);
}

template void activation_forward<float>(float*, const float*, ActKind, int64_t, cudaStream_t);
template void activation_forward<bf16>(bf16*, const bf16*, ActKind, int64_t, cudaStream_t);
template void activation_backward<float>(float*, const float*, const float*, ActKind, int64_t, cudaStream_t);
template void activation_backward<bf16>(bf16*, const bf16*, const bf16*, ActKind, int64_t, cudaStream_t);

}  // namespace deepnet::kernels::cuda
