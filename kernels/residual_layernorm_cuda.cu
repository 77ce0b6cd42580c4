// Fused residual + LayerNorm on the GPU, the DeepNorm sublayer output:
//   z = alpha * x + f,  y = (z - mean) * rstd * gamma + beta      x, f, y: (N, C)
// One pass over memory: each row is read once (x, f), held in registers (warp per row,
// C <= 1024, 16-byte vectors) or in shared memory (block per row, any other C), and written
// once (y, mean, rstd). The variance is taken around the mean from the held row, as the
// CPU twin does.
// Backward: dz = rstd * (dy*gamma - mean(dy*gamma) - xhat * mean(dy*gamma*xhat)),
//   dx = alpha dz (=), df = dz (=), dgamma += sum_n dy*xhat, dbeta += sum_n dy.
// dgamma/dbeta are reduced in two stages with a grid fixed per device: each block adds its
// rows into a partial (its warps in order), then one kernel sums the partials in a fixed
// order. No atomics: results repeat bit for bit on one device.
#include "kernels/residual_layernorm.h"
#include "kernels/cuda_utils.cuh"

#include <algorithm>
#include <type_traits>

namespace deepnet::kernels::cuda {
namespace {

using detail::aligned16;
using detail::block_sum;
using detail::kVec;
using detail::load;
using detail::store;
using detail::warp_sum;

constexpr int kWarpRows = 8;         // warps (= rows at a time) per block, warp path
constexpr int kBlockThreads = 256;   // block path
constexpr int64_t kMaxWarpC = 1024;  // widest row the warp path holds in registers

// Column of lane `lane`'s i-th vector in the warp path.
__device__ __forceinline__ int64_t warp_col(int i, int lane, int V) {
    return int64_t(i * 32 + lane) * V;
}

template <typename T, int V, int NV>
__global__ void __launch_bounds__(kWarpRows * 32)
    fwd_warp_kernel(T* y, float* mean, float* rstd, const T* x, const T* f, const T* gamma,
                    const T* beta, float alpha, int64_t N, int64_t C, float eps) {
    const int lane = threadIdx.x & 31;
    const int64_t row = int64_t(blockIdx.x) * kWarpRows + (threadIdx.x >> 5);
    if (row >= N) return;
    const int64_t base = row * C;
    float z[NV][V], fv[NV][V];
    // All loads of the row are issued before the first use.
#pragma unroll
    for (int i = 0; i < NV; ++i)
        if (warp_col(i, lane, V) < C) load<T, V>(x + base + warp_col(i, lane, V), z[i]);
    if (f) {
#pragma unroll
        for (int i = 0; i < NV; ++i)
            if (warp_col(i, lane, V) < C) load<T, V>(f + base + warp_col(i, lane, V), fv[i]);
    }
    float sum = 0.f;
#pragma unroll
    for (int i = 0; i < NV; ++i) {
        if (warp_col(i, lane, V) >= C) continue;
#pragma unroll
        for (int j = 0; j < V; ++j) {
            z[i][j] = f ? alpha * z[i][j] + fv[i][j] : alpha * z[i][j];
            sum += z[i][j];
        }
    }
    const float mu = warp_sum(sum) / float(C);
    float sq = 0.f;
#pragma unroll
    for (int i = 0; i < NV; ++i) {
        if (warp_col(i, lane, V) >= C) continue;
#pragma unroll
        for (int j = 0; j < V; ++j) sq += (z[i][j] - mu) * (z[i][j] - mu);
    }
    const float rs = rsqrtf(warp_sum(sq) / float(C) + eps);
#pragma unroll
    for (int i = 0; i < NV; ++i) {
        const int64_t c = warp_col(i, lane, V);
        if (c >= C) continue;
        float g[V], b[V], out[V];
        load<T, V>(gamma + c, g);
        load<T, V>(beta + c, b);
#pragma unroll
        for (int j = 0; j < V; ++j) out[j] = (z[i][j] - mu) * rs * g[j] + b[j];
        store<T, V>(y + base + c, out);
    }
    if (lane == 0) {
        mean[row] = mu;
        rstd[row] = rs;
    }
}

// Block per row; each thread keeps its own columns of z in shared memory, so only the
// reductions synchronise.
template <typename T, int V>
__global__ void __launch_bounds__(kBlockThreads)
    fwd_block_kernel(T* y, float* mean, float* rstd, const T* x, const T* f, const T* gamma,
                     const T* beta, float alpha, int64_t N, int64_t C, float eps) {
    extern __shared__ float zs[];
    __shared__ float red[32];
    const int64_t first = int64_t(threadIdx.x) * V, step = int64_t(kBlockThreads) * V;
    for (int64_t row = blockIdx.x; row < N; row += gridDim.x) {
        const int64_t base = row * C;
        float sum = 0.f;
        for (int64_t c = first; c < C; c += step) {
            float z[V], fv[V];
            load<T, V>(x + base + c, z);
            if (f) load<T, V>(f + base + c, fv);
#pragma unroll
            for (int j = 0; j < V; ++j) {
                z[j] = f ? alpha * z[j] + fv[j] : alpha * z[j];
                zs[c + j] = z[j];
                sum += z[j];
            }
        }
        const float mu = block_sum(sum, red) / float(C);
        float sq = 0.f;
        for (int64_t c = first; c < C; c += step)
#pragma unroll
            for (int j = 0; j < V; ++j) sq += (zs[c + j] - mu) * (zs[c + j] - mu);
        const float rs = rsqrtf(block_sum(sq, red) / float(C) + eps);
        for (int64_t c = first; c < C; c += step) {
            float g[V], b[V], out[V];
            load<T, V>(gamma + c, g);
            load<T, V>(beta + c, b);
#pragma unroll
            for (int j = 0; j < V; ++j) out[j] = (zs[c + j] - mu) * rs * g[j] + b[j];
            store<T, V>(y + base + c, out);
        }
        if (threadIdx.x == 0) {
            mean[row] = mu;
            rstd[row] = rs;
        }
    }
}

// Warp per row, rows strided over the grid's warps; each lane accumulates dgamma/dbeta for
// its columns in registers; the block's warps then add theirs into shared memory in warp
// order and the block writes one partial row (2C) to `partial`.
template <typename T, int V, int NV>
__global__ void __launch_bounds__(kWarpRows * 32)
    bwd_warp_kernel(T* dx, T* df, float* partial, const T* dy, const T* x, const T* f,
                    const T* gamma, const float* mean, const float* rstd, float alpha, int64_t N,
                    int64_t C) {
    __shared__ float acc[2 * kMaxWarpC];
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    const float inv_c = 1.f / float(C);
    float pg[NV][V], pb[NV][V];
#pragma unroll
    for (int i = 0; i < NV; ++i)
#pragma unroll
        for (int j = 0; j < V; ++j) pg[i][j] = pb[i][j] = 0.f;
    const int64_t stride = int64_t(gridDim.x) * kWarpRows;
    for (int64_t row = int64_t(blockIdx.x) * kWarpRows + warp; row < N; row += stride) {
        const int64_t base = row * C;
        float g[NV][V], xh[NV][V], fv[NV][V];
#pragma unroll
        for (int i = 0; i < NV; ++i) {
            const int64_t c = warp_col(i, lane, V);
            if (c >= C) continue;
            load<T, V>(dy + base + c, g[i]);
            load<T, V>(x + base + c, xh[i]);
            if (f) load<T, V>(f + base + c, fv[i]);
        }
        const float mu = mean[row], rs = rstd[row];
        float sg = 0.f, sgx = 0.f;
#pragma unroll
        for (int i = 0; i < NV; ++i) {
            const int64_t c = warp_col(i, lane, V);
            if (c >= C) continue;
            float gm[V];
            load<T, V>(gamma + c, gm);
#pragma unroll
            for (int j = 0; j < V; ++j) {
                const float z = f ? alpha * xh[i][j] + fv[i][j] : alpha * xh[i][j];
                const float xhat = (z - mu) * rs, d = g[i][j];
                pg[i][j] += d * xhat;
                pb[i][j] += d;
                g[i][j] = d * gm[j];
                xh[i][j] = xhat;
                sg += g[i][j];
                sgx += g[i][j] * xhat;
            }
        }
        const float mg = warp_sum(sg) * inv_c, mgx = warp_sum(sgx) * inv_c;
#pragma unroll
        for (int i = 0; i < NV; ++i) {
            const int64_t c = warp_col(i, lane, V);
            if (c >= C) continue;
            float dz[V], dxv[V];
#pragma unroll
            for (int j = 0; j < V; ++j) {
                dz[j] = rs * (g[i][j] - mg - xh[i][j] * mgx);
                dxv[j] = alpha * dz[j];
            }
            if (df) store<T, V>(df + base + c, dz);
            store<T, V>(dx + base + c, dxv);
        }
    }
    for (int w = 0; w < kWarpRows; ++w) {
        if (warp == w) {
#pragma unroll
            for (int i = 0; i < NV; ++i) {
                const int64_t c = warp_col(i, lane, V);
                if (c >= C) continue;
#pragma unroll
                for (int j = 0; j < V; ++j) {
                    acc[c + j] = w == 0 ? pg[i][j] : acc[c + j] + pg[i][j];
                    acc[C + c + j] = w == 0 ? pb[i][j] : acc[C + c + j] + pb[i][j];
                }
            }
        }
        __syncthreads();
    }
    float* out = partial + int64_t(blockIdx.x) * 2 * C;
    for (int64_t k = threadIdx.x; k < 2 * C; k += blockDim.x) out[k] = acc[k];
}

// Block per row. Shared memory: xhat | dy*gamma | dgamma partial | dbeta partial, (4, C);
// every column belongs to one thread, so only the reductions synchronise.
template <typename T, int V>
__global__ void __launch_bounds__(kBlockThreads)
    bwd_block_kernel(T* dx, T* df, float* partial, const T* dy, const T* x, const T* f,
                     const T* gamma, const float* mean, const float* rstd, float alpha, int64_t N,
                     int64_t C) {
    extern __shared__ float sm[];
    __shared__ float red[32];
    float *xh = sm, *gg = sm + C, *pg = sm + 2 * C, *pb = sm + 3 * C;
    const int64_t first = int64_t(threadIdx.x) * V, step = int64_t(kBlockThreads) * V;
    const float inv_c = 1.f / float(C);
    for (int64_t c = first; c < C; c += step)
#pragma unroll
        for (int j = 0; j < V; ++j) pg[c + j] = pb[c + j] = 0.f;
    for (int64_t row = blockIdx.x; row < N; row += gridDim.x) {
        const int64_t base = row * C;
        const float mu = mean[row], rs = rstd[row];
        float sg = 0.f, sgx = 0.f;
        for (int64_t c = first; c < C; c += step) {
            float d[V], xv[V], fv[V], gm[V];
            load<T, V>(dy + base + c, d);
            load<T, V>(x + base + c, xv);
            if (f) load<T, V>(f + base + c, fv);
            load<T, V>(gamma + c, gm);
#pragma unroll
            for (int j = 0; j < V; ++j) {
                const float z = f ? alpha * xv[j] + fv[j] : alpha * xv[j];
                const float xhat = (z - mu) * rs, g = d[j] * gm[j];
                pg[c + j] += d[j] * xhat;
                pb[c + j] += d[j];
                xh[c + j] = xhat;
                gg[c + j] = g;
                sg += g;
                sgx += g * xhat;
            }
        }
        const float mg = block_sum(sg, red) * inv_c;
        const float mgx = block_sum(sgx, red) * inv_c;
        for (int64_t c = first; c < C; c += step) {
            float dz[V], dxv[V];
#pragma unroll
            for (int j = 0; j < V; ++j) {
                dz[j] = rs * (gg[c + j] - mg - xh[c + j] * mgx);
                dxv[j] = alpha * dz[j];
            }
            if (df) store<T, V>(df + base + c, dz);
            store<T, V>(dx + base + c, dxv);
        }
    }
    float* out = partial + int64_t(blockIdx.x) * 2 * C;
    for (int64_t c = first; c < C; c += step)
#pragma unroll
        for (int j = 0; j < V; ++j) {
            out[c + j] = pg[c + j];
            out[C + c + j] = pb[c + j];
        }
}

// Second stage: column k of (dgamma | dbeta) += sum over the G partial rows. A block is 32
// columns x 8 slices; slice s sums rows s, s+8, ..., then slice 0 adds the 8 in order.
__global__ void __launch_bounds__(256)
    reduce_partials_kernel(float* dgamma, float* dbeta, const float* partial, int64_t G,
                           int64_t C) {
    __shared__ float sums[8][33];
    const int cx = threadIdx.x & 31, sy = threadIdx.x >> 5;
    const int64_t k = int64_t(blockIdx.x) * 32 + cx;
    float s = 0.f;
    if (k < 2 * C)
        for (int64_t b = sy; b < G; b += 8) s += partial[b * 2 * C + k];
    sums[sy][cx] = s;
    __syncthreads();
    if (sy != 0 || k >= 2 * C) return;
    float t = 0.f;
#pragma unroll
    for (int i = 0; i < 8; ++i) t += sums[i][cx];
    if (k < C)
        dgamma[k] += t;
    else
        dbeta[k - C] += t;
}

int pick_nv(int64_t C, int V) {
    int nv = 1;
    while (int64_t(nv) * 32 * V < C) nv *= 2;
    return nv;
}

// Calls launch(std::integral_constant<int, NV>) for NV = nv, among the NV a row of at most
// kMaxWarpC elements can need.
template <int V, typename Launch>
void dispatch_nv(int nv, Launch&& launch) {
    constexpr int kMax = int(kMaxWarpC) / (32 * V);
    if (nv == 1) launch(std::integral_constant<int, 1>{});
    if constexpr (kMax >= 2)
        if (nv == 2) launch(std::integral_constant<int, 2>{});
    if constexpr (kMax >= 4)
        if (nv == 4) launch(std::integral_constant<int, 4>{});
    if constexpr (kMax >= 8)
        if (nv == 8) launch(std::integral_constant<int, 8>{});
}

// Raises a kernel's dynamic shared-memory limit when it needs more than the default 48 KB.
template <typename Kernel>
void prepare_smem(Kernel kernel, size_t bytes, int64_t C) {
    int dev = 0, optin = 0;
    CUDA_CHECK(cudaGetDevice(&dev));
    CUDA_CHECK(cudaDeviceGetAttribute(&optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, dev));
    if (bytes > size_t(optin))
        throw std::runtime_error(
            "residual_layernorm: C = " + std::to_string(C) + " needs " + std::to_string(bytes) +
            " bytes of shared memory per block; the device allows " + std::to_string(optin));
    if (bytes > 48 * 1024)
        CUDA_CHECK(
            cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(bytes)));
}

// Blocks of the backward pass: fixed per (N, device), so the reduction order is too.
int64_t backward_blocks(int64_t N, bool warp_path) {
    const int64_t units = warp_path ? (N + kWarpRows - 1) / kWarpRows : N;
    return std::max<int64_t>(1, std::min<int64_t>(units, 2 * int64_t(detail::sm_count())));
}

// 16-byte vectors need every row start aligned: C a multiple of the vector width and every
// pointer 16-byte aligned.
template <typename T>
bool vectorisable(int64_t C, std::initializer_list<const void*> ptrs) {
    if (C % kVec<T> != 0) return false;
    for (const void* p : ptrs)
        if (p && !aligned16(p)) return false;
    return true;
}

}  // namespace

template <typename T>
void residual_layernorm_forward(T* y, float* mean, float* rstd, const T* x, const T* f, const T* gamma, const T* beta, float alpha, float eps, int64_t N, int64_t C, cudaStream_t stream) {
    if (N <= 0 || C <= 0) return;
    constexpr int VW = kVec<T>;
    const bool vec = vectorisable<T>(C, {y, x, f, gamma, beta});
    if (vec && C <= kMaxWarpC) {
        const dim3 grid(unsigned((N + kWarpRows - 1) / kWarpRows));
        dispatch_nv<VW>(pick_nv(C, VW), [&](auto nv) {
            fwd_warp_kernel<T, VW, decltype(nv)::value><<<grid, kWarpRows * 32, 0, stream>>>(
                y, mean, rstd, x, f, gamma, beta, alpha, N, C, eps);
        });
    } else {
        const size_t smem = size_t(C) * sizeof(float);
        const dim3 grid(unsigned(std::min<int64_t>(N, 16 * int64_t(detail::sm_count()))));
        auto kernel = vec ? fwd_block_kernel<T, VW> : fwd_block_kernel<T, 1>;
        prepare_smem(kernel, smem, C);
        kernel<<<grid, kBlockThreads, smem, stream>>>(y, mean, rstd, x, f, gamma, beta, alpha, N, C,
                                                      eps);
    }
    DEEPNET_CUDA_LAUNCH_CHECK();
}

int64_t residual_layernorm_backward_scratch_floats(int64_t N, int64_t C) {
    return backward_blocks(N, false) * 2 * C;
}

template <typename T>
void residual_layernorm_backward(T* dx, T* df, float* dgamma, float* dbeta, const T* dy, const T* x,
                                 const T* f, const T* gamma, const float* mean, const float* rstd,
                                 float alpha, int64_t N, int64_t C, float* scratch,
                                 cudaStream_t stream) {
    if (N <= 0 || C <= 0) return;
    if (!scratch) throw std::runtime_error("residual_layernorm_backward: scratch is null");
    constexpr int VW = kVec<T>;
    const bool vec = vectorisable<T>(C, {dx, df, dy, x, f, gamma});
    const bool warp = vec && C <= kMaxWarpC;
    const int64_t G = backward_blocks(N, warp);
    if (warp) {
        dispatch_nv<VW>(pick_nv(C, VW), [&](auto nv) {
            bwd_warp_kernel<T, VW, decltype(nv)::value><<<unsigned(G), kWarpRows * 32, 0, stream>>>(
                dx, df, scratch, dy, x, f, gamma, mean, rstd, alpha, N, C);
        });
    } else {
        const size_t smem = 4 * size_t(C) * sizeof(float);
        auto kernel = vec ? bwd_block_kernel<T, VW> : bwd_block_kernel<T, 1>;
        prepare_smem(kernel, smem, C);
        kernel<<<unsigned(G), kBlockThreads, smem, stream>>>(dx, df, scratch, dy, x, f, gamma, mean,
                                                             rstd, alpha, N, C);
    }
    DEEPNET_CUDA_LAUNCH_CHECK();
    reduce_partials_kernel<<<unsigned((2 * C + 31) / 32), 256, 0, stream>>>(dgamma, dbeta, scratch,
                                                                            G, C);
    DEEPNET_CUDA_LAUNCH_CHECK();
}

#define DEEPNET_INSTANTIATE(T)                                                                    \
    template void residual_layernorm_forward<T>(T*, float*, float*, const T*, const T*, const T*, \
                                                const T*, float, float, int64_t, int64_t, \
                                                cudaStream_t);                                    \
    template void residual_layernorm_backward<T>(T*, T*, float*, float*, const T*, const T*,      \
                                                 const T*, const T*, const float*, const float*,  \
                                                 float, int64_t, int64_t, float*, cudaStream_t);
DEEPNET_INSTANTIATE(float)
DEEPNET_INSTANTIATE(bf16)
#undef DEEPNET_INSTANTIATE

}  // namespace deepnet::kernels::cuda
