// AdamW over the flat fp32 parameter buffer on the GPU (PyTorch's AdamW, see adamw.h):
//   g' = g * grad_scale * dev_scale;  m = b1 m + (1-b1) g';  v = b2 v + (1-b2) g'^2
//   p = p (1 - lr wd) - lr (m c1) / (sqrt(v) c2 + eps),  c1 = 1/(1-b1^t), c2 = 1/sqrt(1-b2^t)
// One launch updates every parameter tensor (they are slices of one buffer, so "multi-
// tensor" is one flat pass) and optionally writes the bf16 compute copy of p.
// sum_squares: sum of x^2 in fp64 over a fixed grid (the same on every device), partials
// reduced in a fixed order by one block: the global gradient norm, identical run to run.
#include "kernels/adamw.h"
#include "kernels/cuda_utils.cuh"

#include <algorithm>
#include <cmath>

namespace deepnet::kernels::cuda {
namespace {

using detail::aligned16;
using detail::block_sum;
using detail::load;
using detail::store;

constexpr int kThreads = 256;
constexpr int kSumBlocks = 1024;  // fixed: the summation order must not vary

struct AdamScalars {
    float b1, b2, eps, gs, lr, decay, c1, c2;
};

__device__ __forceinline__ void adam_one(float& p, float g, float& m, float& v,
                                         const AdamScalars& a, float s) {
    const float gi = g * s;
    m = a.b1 * m + (1.f - a.b1) * gi;
    v = a.b2 * v + (1.f - a.b2) * gi * gi;
    p = p * a.decay - a.lr * (m * a.c1) / (sqrtf(v) * a.c2 + a.eps);
}

// VEC = 4: float4 accesses over n / 4 groups (n a multiple of 4, all pointers aligned);
// VEC = 1: one element per step.
template <int VEC>
__global__ void __launch_bounds__(kThreads)
    adamw_kernel(float* p, const float* g, float* m, float* v, bf16* pb, int64_t n, AdamScalars a,
                 const float* dev_scale) {
    const float s = a.gs * (dev_scale ? *dev_scale : 1.f);
    const int64_t stride = int64_t(gridDim.x) * blockDim.x * VEC;
    for (int64_t i = (int64_t(blockIdx.x) * blockDim.x + threadIdx.x) * VEC; i < n; i += stride) {
        float pv[VEC], gv[VEC], mv[VEC], vv[VEC];
        load<float, VEC>(p + i, pv);
        load<float, VEC>(g + i, gv);
        load<float, VEC>(m + i, mv);
        load<float, VEC>(v + i, vv);
#pragma unroll
        for (int j = 0; j < VEC; ++j) adam_one(pv[j], gv[j], mv[j], vv[j], a, s);
        store<float, VEC>(p + i, pv);
        store<float, VEC>(m + i, mv);
        store<float, VEC>(v + i, vv);
        if (pb)
#pragma unroll
            for (int j = 0; j < VEC; ++j) pb[i + j] = detail::from_float<bf16>(pv[j]);
    }
}

template <typename T>
__global__ void __launch_bounds__(kThreads)
    sum_squares_partial_kernel(double* partial, const T* x, int64_t n) {
    __shared__ double red[32];
    double s = 0;
    const int64_t stride = int64_t(gridDim.x) * blockDim.x;
    for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
        const double v = detail::to_float(x[i]);
        s += v * v;
    }
    s = block_sum(s, red);
    if (threadIdx.x == 0) partial[blockIdx.x] = s;
}

__global__ void __launch_bounds__(kThreads)
    sum_partials_kernel(double* out, const double* partial, int count) {
    __shared__ double red[32];
    double s = 0;
    for (int i = threadIdx.x; i < count; i += blockDim.x) s += partial[i];
    s = block_sum(s, red);
    if (threadIdx.x == 0) *out = s;
}

unsigned grid_for(int64_t work) {
    const int64_t cap = 8 * int64_t(detail::sm_count()) * (2048 / kThreads);
    return unsigned(std::max<int64_t>(1, std::min<int64_t>((work + kThreads - 1) / kThreads, cap)));
}

}  // namespace

void adamw_update(float* p, const float* g, float* m, float* v, const cpu::AdamParams& a, bf16* p_bf16, const float* dev_scale, int64_t n, cudaStream_t stream) {
    if (n <= 0) return;
    AdamScalars s;
    s.b1 = float(a.beta1);
    s.b2 = float(a.beta2);
    s.eps = float(a.eps);
    s.gs = float(a.grad_scale);
    s.lr = float(a.lr);
    s.decay = float(1.0 - a.lr * a.weight_decay);
    s.c1 = float(1.0 / (1.0 - std::pow(a.beta1, double(a.step))));
    s.c2 = float(1.0 / std::sqrt(1.0 - std::pow(a.beta2, double(a.step))));
    const bool vec = n % 4 == 0 && aligned16(p) && aligned16(g) && aligned16(m) && aligned16(v);
    if (vec)
        adamw_kernel<4>
            <<<grid_for(n / 4), kThreads, 0, stream>>>(p, g, m, v, p_bf16, n, s, dev_scale);
    else
        adamw_kernel<1><<<grid_for(n), kThreads, 0, stream>>>(p, g, m, v, p_bf16, n, s, dev_scale);
    DEEPNET_CUDA_LAUNCH_CHECK();
}

int64_t sum_squares_scratch_doubles() { return kSumBlocks; }

template <typename T>
void sum_squares(double* out, const T* x, int64_t n, double* scratch, cudaStream_t stream) {
    if (!scratch) throw std::runtime_error("sum_squares: scratch is null");
    sum_squares_partial_kernel<T><<<kSumBlocks, kThreads, 0, stream>>>(scratch, x, n);
    DEEPNET_CUDA_LAUNCH_CHECK();
    sum_partials_kernel<<<1, kThreads, 0, stream>>>(out, scratch, kSumBlocks);
    DEEPNET_CUDA_LAUNCH_CHECK();
}

template void sum_squares<float>(double*, const float*, int64_t, double*, cudaStream_t);
template void sum_squares<bf16>(double*, const bf16*, int64_t, double*, cudaStream_t);

}  // namespace deepnet::kernels::cuda
