// The test entry of kernels/tile_gemm.h: a one-block GEMM through detail::tile_gemm.
#include "kernels/tile_gemm.h"
#include "kernels/tile_gemm.cuh"

#include <stdexcept>
#include <string>
#include <type_traits>

namespace deepnet::kernels::cuda {
namespace {

constexpr int kThreads = 128;
constexpr int kPad = 8;  // elements added to each shared row: keeps rows 16-byte aligned

// Shared: A as stored (rows ra, stride ca + kPad), B likewise, C (M x N) fp32.
template <typename E, bool kATrans, bool kBRows>
__global__ void __launch_bounds__(kThreads)
    gemm_kernel(float* c, const E* a, const E* b, int M, int N, int K, bool accumulate) {
    extern __shared__ __align__(16) uint8_t smem[];
    const int ra = kATrans ? K : M, ca = kATrans ? M : K, rb = kBRows ? N : K, cb = kBRows ? K : N;
    const int lda = ca + kPad, ldb = cb + kPad;
    E* as = reinterpret_cast<E*>(smem);
    E* bs = as + ra * lda;
    float* cs = reinterpret_cast<float*>(bs + ((rb * ldb + 7) / 8) * 8);
    for (int i = int(threadIdx.x); i < ra * ca; i += kThreads) as[(i / ca) * lda + i % ca] = a[i];
    for (int i = int(threadIdx.x); i < rb * cb; i += kThreads) bs[(i / cb) * ldb + i % cb] = b[i];
    for (int i = int(threadIdx.x); i < M * N; i += kThreads) cs[i] = c[i];
    __syncthreads();
    if (accumulate)
        detail::tile_gemm<true, kATrans, kBRows>(cs, N, as, lda, bs, ldb, M, N, K);
    else
        detail::tile_gemm<false, kATrans, kBRows>(cs, N, as, lda, bs, ldb, M, N, K);
    __syncthreads();
    for (int i = int(threadIdx.x); i < M * N; i += kThreads) c[i] = cs[i];
}

template <typename E, bool kATrans, bool kBRows>
void launch(float* c, const E* a, const E* b, int M, int N, int K, bool accumulate, cudaStream_t stream) {
    // The kernel's layout: A, B (rounded up to 8 elements), then C.
    const int ra = kATrans ? K : M, ca = kATrans ? M : K, rb = kBRows ? N : K, cb = kBRows ? K : N;
    const size_t bytes = (size_t(ra) * (ca + kPad) + (size_t(rb) * (cb + kPad) + 7) / 8 * 8) * sizeof(E) +
                         size_t(M) * N * sizeof(float);
    if (bytes > 48 * 1024)
        CUDA_CHECK(cudaFuncSetAttribute(gemm_kernel<E, kATrans, kBRows>,
                                        cudaFuncAttributeMaxDynamicSharedMemorySize, int(bytes)));
    gemm_kernel<E, kATrans, kBRows><<<1, kThreads, bytes, stream>>>(c, a, b, M, N, K, accumulate);
    DEEPNET_CUDA_LAUNCH_CHECK();
}

}  // namespace

template <typename E>
void tile_gemm_check(float* c, const E* a, const E* b, int M, int N, int K, bool a_trans, bool b_rows,
                     bool accumulate, cudaStream_t stream) {
    const bool shape_ok = M > 0 && N > 0 && K > 0 && M <= 64 && N <= 64 && K <= 64 &&
                          (std::is_same_v<E, float> || (M % 16 == 0 && N % 8 == 0 && K % 16 == 0));
    if (!shape_ok)
        throw std::invalid_argument("tile_gemm_check: unsupported shape " + std::to_string(M) + "x" +
                                    std::to_string(N) + "x" + std::to_string(K));
    if (a_trans && b_rows) launch<E, true, true>(c, a, b, M, N, K, accumulate, stream);
    else if (a_trans) launch<E, true, false>(c, a, b, M, N, K, accumulate, stream);
    else if (b_rows) launch<E, false, true>(c, a, b, M, N, K, accumulate, stream);
    else launch<E, false, false>(c, a, b, M, N, K, accumulate, stream);
}

template void tile_gemm_check<float>(float*, const float*, const float*, int, int, int, bool, bool, bool,
                                     cudaStream_t);
template void tile_gemm_check<bf16>(float*, const bf16*, const bf16*, int, int, int, bool, bool, bool,
                                    cudaStream_t);

}  // namespace deepnet::kernels::cuda
