// Label-smoothed softmax cross-entropy over the vocabulary on the GPU, block per row:
//   lse = log sum_v exp(z_v),  nll = lse - z_t,  loss = (1 - eps) nll + eps (lse - mean_v z_v)
//   dlogits = scale * (softmax(z) - q),  q = (1 - eps) onehot(t) + eps / V
// logits: (N, V); targets (N), -1 = ignored row (loss = nll = 0, zero gradient).
// The forward reads each row once with an online softmax (running max and rescaled sum, one
// rescale per 16-byte vector); the fused forward_backward then writes the gradient over the
// logits in the same launch, so no second (N, V) buffer exists.
// loss_sums: the logged sums of loss and nll, fp64 partials on a fixed grid, then one block.
#include "kernels/cross_entropy.h"
#include "kernels/cuda_utils.cuh"
#include "kernels/row_lse.cuh"

#include <cmath>

namespace deepnet::kernels::cuda {
namespace {

using detail::aligned16;
using detail::kVec;
using detail::load;
using detail::store;

constexpr int kThreads = detail::kLseThreads;  // one block per row (row_lse.cuh)

template <typename T, int VW>
__device__ void write_grad(T* d, const T* z, float lse, int64_t target, float eps, float scale,
                           int64_t V) {
    const float u = eps / float(V), hit = scale * (1.f - eps);
    for (int64_t c = int64_t(threadIdx.x) * VW; c < V; c += int64_t(kThreads) * VW) {
        float v[VW];
        load<T, VW>(z + c, v);
#pragma unroll
        for (int j = 0; j < VW; ++j) {
            v[j] = target < 0 ? 0.f : scale * (expf(v[j] - lse) - u);
            if (c + j == target) v[j] -= hit;
        }
        store<T, VW>(d + c, v);
    }
}

template <typename T, int VW>
__global__ void __launch_bounds__(kThreads)
    forward_kernel(float* loss, float* nll, float* lse, T* grad, const T* logits,
                   const int64_t* targets, float eps, float scale, int64_t V) {
    const int64_t n = blockIdx.x;
    const T* z = logits + n * V;
    const float2 r = detail::row_stats<T, VW, true>(z, V);
    const int64_t t = targets[n];
    // Read before any thread overwrites the row (fused, in place).
    const float zt = t >= 0 ? detail::to_float(z[t]) : 0.f;
    if (threadIdx.x == 0) {
        lse[n] = r.x;
        const float nl = t >= 0 ? r.x - zt : 0.f;
        nll[n] = nl;
        loss[n] = t >= 0 ? (1.f - eps) * nl + eps * (r.x - r.y / float(V)) : 0.f;
    }
    if (grad) {
        __syncthreads();
        write_grad<T, VW>(grad + n * V, z, r.x, t, eps, scale, V);
    }
}

template <typename T, int VW>
__global__ void __launch_bounds__(kThreads)
    backward_kernel(T* dlogits, const T* logits, const float* lse, const int64_t* targets,
                    float eps, float scale, int64_t V) {
    const int64_t n = blockIdx.x;
    write_grad<T, VW>(dlogits + n * V, logits + n * V, lse[n], targets[n], eps, scale, V);
}

template <typename T>
void launch_forward(float* loss, float* nll, float* lse, T* grad, const T* logits,
                    const int64_t* targets, float eps, float scale, int64_t N, int64_t V,
                    cudaStream_t stream) {
    if (N <= 0) return;
    const bool vec = V % kVec<T> == 0 && aligned16(logits) && (!grad || aligned16(grad));
    if (vec)
        forward_kernel<T, kVec<T>><<<unsigned(N), kThreads, 0, stream>>>(
            loss, nll, lse, grad, logits, targets, eps, scale, V);
    else
        forward_kernel<T, 1><<<unsigned(N), kThreads, 0, stream>>>(loss, nll, lse, grad, logits,
                                                                   targets, eps, scale, V);
    DEEPNET_CUDA_LAUNCH_CHECK();
}

// Fixed, independent of N and of the device: the same partials, so the same bits, on any GPU.
constexpr int kSumBlocks = 128;

// Block b adds rows b*kThreads + t, stepping by the whole grid, in fp64.
__global__ void __launch_bounds__(kThreads)
    loss_partials_kernel(double* partial, const float* loss, const float* nll, int64_t N) {
    __shared__ double red[32];
    double l = 0, g = 0;
    const int64_t stride = int64_t(gridDim.x) * kThreads;
    for (int64_t i = int64_t(blockIdx.x) * kThreads + threadIdx.x; i < N; i += stride) {
        l += double(loss[i]);
        g += double(nll[i]);
    }
    l = detail::block_sum(l, red);
    g = detail::block_sum(g, red);
    if (threadIdx.x == 0) partial[2 * blockIdx.x] = l, partial[2 * blockIdx.x + 1] = g;
}

__global__ void __launch_bounds__(kThreads) loss_total_kernel(double* sums, const double* partial) {
    __shared__ double red[32];
    double l = 0, g = 0;
    for (int b = threadIdx.x; b < kSumBlocks; b += kThreads) l += partial[2 * b], g += partial[2 * b + 1];
    l = detail::block_sum(l, red);
    g = detail::block_sum(g, red);
    if (threadIdx.x == 0) sums[0] = l, sums[1] = g;
}

}  // namespace

int64_t loss_sums_scratch_doubles() { return 2 * kSumBlocks; }

void loss_sums(double* sums, const float* loss, const float* nll, int64_t N, double* scratch,
               cudaStream_t stream) {
    if (!scratch) throw std::runtime_error("loss_sums: scratch is null");
    // Launched also for N = 0: the partials are then 0 and the sums are written.
    loss_partials_kernel<<<kSumBlocks, kThreads, 0, stream>>>(scratch, loss, nll, N);
    DEEPNET_CUDA_LAUNCH_CHECK();
    loss_total_kernel<<<1, kThreads, 0, stream>>>(sums, scratch);
    DEEPNET_CUDA_LAUNCH_CHECK();
}

template <typename T>
void cross_entropy_forward(float* loss, float* nll, float* lse, const T* logits,
                           const int64_t* targets, float eps, int64_t N, int64_t V,
                           cudaStream_t stream) {
    launch_forward<T>(loss, nll, lse, nullptr, logits, targets, eps, 0.f, N, V, stream);
}

template <typename T>
void cross_entropy_backward(T* dlogits, const T* logits, const float* lse, const int64_t* targets,
                            float eps, float scale, int64_t N, int64_t V, cudaStream_t stream) {
    if (N <= 0) return;
    const bool vec = V % kVec<T> == 0 && aligned16(logits) && aligned16(dlogits);
    if (vec)
        backward_kernel<T, kVec<T>>
            <<<unsigned(N), kThreads, 0, stream>>>(dlogits, logits, lse, targets, eps, scale, V);
    else
        backward_kernel<T, 1>
            <<<unsigned(N), kThreads, 0, stream>>>(dlogits, logits, lse, targets, eps, scale, V);
    DEEPNET_CUDA_LAUNCH_CHECK();
}

template <typename T>
void cross_entropy_forward_backward(float* loss, float* nll, float* lse, T* logits_grad,
                                    const int64_t* targets, float eps, float scale, int64_t N,
                                    int64_t V, cudaStream_t stream) {
    launch_forward<T>(loss, nll, lse, logits_grad, logits_grad, targets, eps, scale, N, V, stream);
}

#define DEEPNET_INSTANTIATE(T)                                                                  \
    template void cross_entropy_forward<T>(float*, float*, float*, const T*, const int64_t*,    \
                                           float, int64_t, int64_t, cudaStream_t);              \
    template void cross_entropy_backward<T>(T*, const T*, const float*, const int64_t*, float,  \
                                            float, int64_t, int64_t, cudaStream_t);             \
    template void cross_entropy_forward_backward<T>(float*, float*, float*, T*, const int64_t*, \
                                                    float, float, int64_t, int64_t, cudaStream_t);
DEEPNET_INSTANTIATE(float)
DEEPNET_INSTANTIATE(bf16)
#undef DEEPNET_INSTANTIATE

}  // namespace deepnet::kernels::cuda
