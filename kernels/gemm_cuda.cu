// The cuBLASLt wrapper and the bias-gradient reduction (see gemm.h). One descriptor set and
// one heuristic query per call: a few microseconds of host work beside GEMMs of the sizes
// training uses; a cache keyed by shape can come when a profile shows it.
#include "kernels/gemm.h"
#include "kernels/cuda_utils.cuh"

#include <cublasLt.h>

#include <sstream>
#include <type_traits>

namespace deepnet::kernels::cuda {
namespace {

using detail::from_float;
using detail::to_float;

template <typename T>
constexpr cudaDataType_t data_type() {
    return std::is_same_v<T, float> ? CUDA_R_32F : std::is_same_v<T, f16> ? CUDA_R_16F : CUDA_R_16BF;
}

// Destroys the descriptors of one call whatever happens.
struct LtCall {
    cublasLtMatmulDesc_t desc = nullptr;
    cublasLtMatrixLayout_t a = nullptr, b = nullptr, c = nullptr;
    cublasLtMatmulPreference_t pref = nullptr;
    ~LtCall() {
        if (pref) cublasLtMatmulPreferenceDestroy(pref);
        if (c) cublasLtMatrixLayoutDestroy(c);
        if (b) cublasLtMatrixLayoutDestroy(b);
        if (a) cublasLtMatrixLayoutDestroy(a);
        if (desc) cublasLtMatmulDescDestroy(desc);
    }
};

struct Shape {
    bool ta, tb;
    int64_t M, N, K, lda, ldb, ldc;
};

void lt_check(cublasStatus_t s, const char* what, const Shape& sh) {
    if (s == CUBLAS_STATUS_SUCCESS) return;
    std::ostringstream os;
    os << "cuBLASLt " << what << ": " << cublasLtGetStatusString(s) << " (row-major C(" << sh.M << "x" << sh.N
       << ") = op" << (sh.ta ? "T" : "N") << "(A) op" << (sh.tb ? "T" : "N") << "(B), K=" << sh.K
       << ", lda=" << sh.lda << " ldb=" << sh.ldb << " ldc=" << sh.ldc << ")";
    throw std::runtime_error(os.str());
}

// The largest power of two up to 256 that divides the address: cuBLASLt assumes 256 unless
// told, and may pick an algorithm the pointer does not suit (a slice of a buffer).
uint32_t alignment(const void* p) {
    const uintptr_t a = reinterpret_cast<uintptr_t>(p);
    uint32_t al = 256;
    while (al > 1 && a % al != 0) al /= 2;
    return al;
}

cublasLtEpilogue_t lt_epilogue(GemmEpilogue e) {
    switch (e) {
        case GemmEpilogue::None: return CUBLASLT_EPILOGUE_DEFAULT;
        case GemmEpilogue::Bias: return CUBLASLT_EPILOGUE_BIAS;
        case GemmEpilogue::BiasRelu: return CUBLASLT_EPILOGUE_RELU_BIAS;
    }
    return CUBLASLT_EPILOGUE_DEFAULT;
}

constexpr int kTile = 32;  // columns per block, and row phases per column

// db[j] += sum over rows of dy[:, j]. A block of 32 x 32 threads owns 32 columns: thread
// (x, y) adds rows y, y + 32, ... of column x (a warp reads 32 consecutive columns of a
// row: coalesced), then row 0 adds the 32 partial sums in order. No atomics: the same
// bits on every run.
template <typename T, typename TGrad>
__global__ void __launch_bounds__(kTile* kTile) bias_grad_kernel(TGrad* db, const T* dy, int64_t N, int64_t O) {
    __shared__ float part[kTile][kTile + 1];
    const int64_t j = int64_t(blockIdx.x) * kTile + threadIdx.x;
    float s = 0.f;
    if (j < O)
        for (int64_t i = threadIdx.y; i < N; i += kTile) s += to_float(dy[i * O + j]);
    part[threadIdx.y][threadIdx.x] = s;
    __syncthreads();
    if (threadIdx.y != 0 || j >= O) return;
    float t = 0.f;
    for (int r = 0; r < kTile; ++r) t += part[r][threadIdx.x];
    db[j] = from_float<TGrad>(to_float(db[j]) + t);
}

}  // namespace

template <typename TIn, typename TOut>
void gemm(const GemmHandle& h, bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
          const TIn* A, int64_t lda, const TIn* B, int64_t ldb, float beta, TOut* C, int64_t ldc,
          GemmEpilogue epilogue, const TOut* bias, cudaStream_t stream) {
    static_assert(std::is_same_v<TIn, TOut> ||
                      ((std::is_same_v<TIn, bf16> || std::is_same_v<TIn, f16>) && std::is_same_v<TOut, float>),
                  "gemm: output the input type, or float from bf16 or fp16");
    const Shape sh{trans_a, trans_b, M, N, K, lda, ldb, ldc};
    if (M <= 0 || N <= 0) return;
    if (!h.lt) throw std::runtime_error("gemm: no cuBLASLt handle in the context");
    if (epilogue != GemmEpilogue::None && !bias) throw std::runtime_error("gemm: a bias epilogue without a bias");
    const auto lt = static_cast<cublasLtHandle_t>(h.lt);
    // Column-major view: D (N x M, ld ldc) = opB'(B) (N x K) opA'(A) (K x M), where a row-major
    // matrix of r rows and c columns is a column-major one of c rows and r columns.
    LtCall call;
    lt_check(cublasLtMatmulDescCreate(&call.desc, CUBLAS_COMPUTE_32F, CUDA_R_32F), "descriptor", sh);
    const int32_t op_a = trans_b ? CUBLAS_OP_T : CUBLAS_OP_N, op_b = trans_a ? CUBLAS_OP_T : CUBLAS_OP_N;
    const uint32_t ep = lt_epilogue(epilogue);
    lt_check(cublasLtMatmulDescSetAttribute(call.desc, CUBLASLT_MATMUL_DESC_TRANSA, &op_a, sizeof op_a), "transa", sh);
    lt_check(cublasLtMatmulDescSetAttribute(call.desc, CUBLASLT_MATMUL_DESC_TRANSB, &op_b, sizeof op_b), "transb", sh);
    lt_check(cublasLtMatmulDescSetAttribute(call.desc, CUBLASLT_MATMUL_DESC_EPILOGUE, &ep, sizeof ep), "epilogue", sh);
    if (bias) {
        const void* bp = bias;
        lt_check(cublasLtMatmulDescSetAttribute(call.desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bp, sizeof bp),
                 "bias pointer", sh);
    }
    const cudaDataType_t tin = data_type<TIn>(), tout = data_type<TOut>();
    // Stored shapes (column-major rows x cols) of cuBLASLt's A (our B) and B (our A).
    lt_check(cublasLtMatrixLayoutCreate(&call.a, tin, uint64_t(trans_b ? K : N), uint64_t(trans_b ? N : K), ldb),
             "layout of B", sh);
    lt_check(cublasLtMatrixLayoutCreate(&call.b, tin, uint64_t(trans_a ? M : K), uint64_t(trans_a ? K : M), lda),
             "layout of A", sh);
    lt_check(cublasLtMatrixLayoutCreate(&call.c, tout, uint64_t(N), uint64_t(M), ldc), "layout of C", sh);
    lt_check(cublasLtMatmulPreferenceCreate(&call.pref), "preference", sh);
    const uint64_t ws = h.workspace_bytes;
    lt_check(cublasLtMatmulPreferenceSetAttribute(call.pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws, sizeof ws),
             "workspace preference", sh);
    const uint32_t align[4] = {alignment(B), alignment(A), alignment(C), alignment(C)};  // cuBLASLt's A, B, C, D
    const cublasLtMatmulPreferenceAttributes_t align_attr[4] = {
        CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES,
        CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES};
    for (int i = 0; i < 4; ++i)
        lt_check(cublasLtMatmulPreferenceSetAttribute(call.pref, align_attr[i], &align[i], sizeof align[i]),
                 "alignment preference", sh);
    cublasLtMatmulHeuristicResult_t result{};
    int found = 0;
    lt_check(cublasLtMatmulAlgoGetHeuristic(lt, call.desc, call.a, call.b, call.c, call.c, call.pref, 1, &result,
                                            &found),
             "heuristic", sh);
    if (found == 0) lt_check(CUBLAS_STATUS_NOT_SUPPORTED, "heuristic (no algorithm)", sh);
    lt_check(cublasLtMatmul(lt, call.desc, &alpha, B, call.a, A, call.b, &beta, C, call.c, C, call.c, &result.algo,
                            h.workspace, h.workspace_bytes, stream),
             "matmul", sh);
}

template <typename T, typename TGrad>
void bias_grad_accumulate(TGrad* db, const T* dy, int64_t N, int64_t O, cudaStream_t stream) {
    if (O <= 0) return;
    bias_grad_kernel<T, TGrad><<<unsigned((O + kTile - 1) / kTile), dim3(kTile, kTile), 0, stream>>>(db, dy, N, O);
    DEEPNET_CUDA_LAUNCH_CHECK();
}

#define DEEPNET_GEMM(TIn, TOut)                                                                                 \
    template void gemm<TIn, TOut>(const GemmHandle&, bool, bool, int64_t, int64_t, int64_t, float, const TIn*, \
                                  int64_t, const TIn*, int64_t, float, TOut*, int64_t, GemmEpilogue,         \
                                  const TOut*, cudaStream_t);
DEEPNET_GEMM(float, float)
DEEPNET_GEMM(bf16, bf16)
DEEPNET_GEMM(bf16, float)
DEEPNET_GEMM(f16, float)
#undef DEEPNET_GEMM
template void bias_grad_accumulate<float, float>(float*, const float*, int64_t, int64_t, cudaStream_t);
template void bias_grad_accumulate<bf16, float>(float*, const bf16*, int64_t, int64_t, cudaStream_t);
template void bias_grad_accumulate<bf16, bf16>(bf16*, const bf16*, int64_t, int64_t, cudaStream_t);

}  // namespace deepnet::kernels::cuda
