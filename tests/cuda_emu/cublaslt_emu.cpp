// The emulated cuBLASLt (include/cublasLt.h): what the documentation says each call computes,
// on the CPU, and a refusal (with cuBLASLt's status) of what it says is invalid. Products are
// summed in double and rounded once to the output type: the tests that use it compare with
// a tolerance, so the emulation need not copy cuBLASLt's fp32 summation order.
#include <omp.h>

#include <cstring>
#include <string>

#include "cublasLt.h"
#include "cuda_bf16.h"
#include "cuda_fp16.h"

struct cublasLtContext {
    int magic = 0x4c74;  // a handle we created, not a stray pointer
};
struct cublasLtMatmulDescOpaque_t {
    cublasComputeType_t compute;
    cudaDataType_t scale;
    int32_t trans_a = CUBLAS_OP_N, trans_b = CUBLAS_OP_N;
    uint32_t epilogue = CUBLASLT_EPILOGUE_DEFAULT;
    const void* bias = nullptr;
    int32_t bias_type = -1;  // unset: the type of D
};
struct cublasLtMatrixLayoutOpaque_t {
    cudaDataType type;
    uint64_t rows, cols;
    int64_t ld;
};
struct cublasLtMatmulPreferenceOpaque_t {
    uint64_t max_workspace = 0;
    uint32_t min_alignment[4] = {256, 256, 256, 256};  // A, B, C, D
};

namespace {

bool is_storage(cudaDataType t) { return t == CUDA_R_32F || t == CUDA_R_16BF || t == CUDA_R_16F; }

double load(const void* p, cudaDataType t, int64_t i) {
    if (t == CUDA_R_32F) return static_cast<const float*>(p)[i];
    if (t == CUDA_R_16F) return __half2float(static_cast<const __half*>(p)[i]);
    return __bfloat162float(static_cast<const __nv_bfloat16*>(p)[i]);
}
void store(void* p, cudaDataType t, int64_t i, double v) {
    if (t == CUDA_R_32F)
        static_cast<float*>(p)[i] = float(v);
    else if (t == CUDA_R_16F)
        static_cast<__half*>(p)[i] = __float2half_rn(float(v));
    else
        static_cast<__nv_bfloat16*>(p)[i] = __float2bfloat16_rn(float(v));
}

template <typename T>
cublasStatus_t read_attr(T& out, const void* buf, size_t size) {
    if (!buf || size != sizeof(T)) return CUBLAS_STATUS_INVALID_VALUE;
    std::memcpy(&out, buf, sizeof(T));
    return CUBLAS_STATUS_SUCCESS;
}

bool epilogue_supported(uint32_t e) {
    // GELU exists in cuBLASLt but is not emulated: it is the tanh approximation, which the
    // models of this project do not use (their GELU is exact, erf-based).
    return e == CUBLASLT_EPILOGUE_DEFAULT || e == CUBLASLT_EPILOGUE_RELU || e == CUBLASLT_EPILOGUE_BIAS ||
           e == CUBLASLT_EPILOGUE_RELU_BIAS;
}

// The checks cuBLASLt documents for one matmul: D (m x n) = op(A) (m x k) op(B) (k x n).
cublasStatus_t validate(const cublasLtMatmulDescOpaque_t* desc, const cublasLtMatrixLayoutOpaque_t* a,
                        const cublasLtMatrixLayoutOpaque_t* b, const cublasLtMatrixLayoutOpaque_t* c,
                        const cublasLtMatrixLayoutOpaque_t* d) {
    if (!desc || !a || !b || !c || !d) return CUBLAS_STATUS_INVALID_VALUE;
    if (desc->compute != CUBLAS_COMPUTE_32F || desc->scale != CUDA_R_32F) return CUBLAS_STATUS_NOT_SUPPORTED;
    if (!is_storage(a->type) || a->type != b->type || c->type != d->type || !is_storage(d->type))
        return CUBLAS_STATUS_NOT_SUPPORTED;
    if (a->type == CUDA_R_32F && d->type != CUDA_R_32F) return CUBLAS_STATUS_NOT_SUPPORTED;
    if (!epilogue_supported(desc->epilogue)) return CUBLAS_STATUS_NOT_SUPPORTED;
    if (desc->bias_type != -1 && desc->bias_type != d->type) return CUBLAS_STATUS_NOT_SUPPORTED;
    const bool ta = desc->trans_a != CUBLAS_OP_N, tb = desc->trans_b != CUBLAS_OP_N;
    const uint64_t m = d->rows, n = d->cols;
    const uint64_t am = ta ? a->cols : a->rows, k = ta ? a->rows : a->cols;
    const uint64_t bk = tb ? b->cols : b->rows, bn = tb ? b->rows : b->cols;
    if (am != m || bk != k || bn != n || c->rows != m || c->cols != n) return CUBLAS_STATUS_INVALID_VALUE;
    for (const auto* l : {a, b, c, d})
        if (l->ld < 1 || uint64_t(l->ld) < l->rows) return CUBLAS_STATUS_INVALID_VALUE;
    return CUBLAS_STATUS_SUCCESS;
}

}  // namespace

cublasStatus_t cublasLtCreate(cublasLtHandle_t* h) {
    if (!h) return CUBLAS_STATUS_INVALID_VALUE;
    *h = new cublasLtContext;
    return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasLtDestroy(cublasLtHandle_t h) {
    delete h;
    return CUBLAS_STATUS_SUCCESS;
}
const char* cublasLtGetStatusString(cublasStatus_t s) {
    switch (s) {
        case CUBLAS_STATUS_SUCCESS: return "CUBLAS_STATUS_SUCCESS";
        case CUBLAS_STATUS_NOT_INITIALIZED: return "CUBLAS_STATUS_NOT_INITIALIZED";
        case CUBLAS_STATUS_ALLOC_FAILED: return "CUBLAS_STATUS_ALLOC_FAILED";
        case CUBLAS_STATUS_INVALID_VALUE: return "CUBLAS_STATUS_INVALID_VALUE";
        case CUBLAS_STATUS_EXECUTION_FAILED: return "CUBLAS_STATUS_EXECUTION_FAILED";
        case CUBLAS_STATUS_NOT_SUPPORTED: return "CUBLAS_STATUS_NOT_SUPPORTED";
    }
    return "CUBLAS_STATUS_UNKNOWN";
}

cublasStatus_t cublasLtMatmulDescCreate(cublasLtMatmulDesc_t* desc, cublasComputeType_t compute,
                                        cudaDataType_t scale) {
    if (!desc) return CUBLAS_STATUS_INVALID_VALUE;
    *desc = new cublasLtMatmulDescOpaque_t{compute, scale};
    return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasLtMatmulDescDestroy(cublasLtMatmulDesc_t desc) {
    delete desc;
    return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasLtMatmulDescSetAttribute(cublasLtMatmulDesc_t desc, cublasLtMatmulDescAttributes_t attr,
                                              const void* buf, size_t size) {
    if (!desc) return CUBLAS_STATUS_INVALID_VALUE;
    switch (attr) {
        case CUBLASLT_MATMUL_DESC_TRANSA: return read_attr(desc->trans_a, buf, size);
        case CUBLASLT_MATMUL_DESC_TRANSB: return read_attr(desc->trans_b, buf, size);
        case CUBLASLT_MATMUL_DESC_EPILOGUE: return read_attr(desc->epilogue, buf, size);
        case CUBLASLT_MATMUL_DESC_BIAS_POINTER: return read_attr(desc->bias, buf, size);
        case CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE: return read_attr(desc->bias_type, buf, size);
    }
    return CUBLAS_STATUS_INVALID_VALUE;
}

cublasStatus_t cublasLtMatrixLayoutCreate(cublasLtMatrixLayout_t* layout, cudaDataType type, uint64_t rows,
                                          uint64_t cols, int64_t ld) {
    if (!layout) return CUBLAS_STATUS_INVALID_VALUE;
    *layout = new cublasLtMatrixLayoutOpaque_t{type, rows, cols, ld};
    return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasLtMatrixLayoutDestroy(cublasLtMatrixLayout_t layout) {
    delete layout;
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasLtMatmulPreferenceCreate(cublasLtMatmulPreference_t* pref) {
    if (!pref) return CUBLAS_STATUS_INVALID_VALUE;
    *pref = new cublasLtMatmulPreferenceOpaque_t;
    return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasLtMatmulPreferenceDestroy(cublasLtMatmulPreference_t pref) {
    delete pref;
    return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasLtMatmulPreferenceSetAttribute(cublasLtMatmulPreference_t pref,
                                                    cublasLtMatmulPreferenceAttributes_t attr, const void* buf,
                                                    size_t size) {
    if (!pref) return CUBLAS_STATUS_INVALID_VALUE;
    switch (attr) {
        case CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES: return read_attr(pref->max_workspace, buf, size);
        case CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES:
        case CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES:
        case CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES:
        case CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES: {
            uint32_t& slot = pref->min_alignment[attr - CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES];
            uint32_t v = 0;
            const cublasStatus_t s = read_attr(v, buf, size);
            if (s != CUBLAS_STATUS_SUCCESS || v == 0 || (v & (v - 1)) != 0) return CUBLAS_STATUS_INVALID_VALUE;
            slot = v;
            return s;
        }
    }
    return CUBLAS_STATUS_INVALID_VALUE;
}

cublasStatus_t cublasLtMatmulAlgoGetHeuristic(cublasLtHandle_t h, cublasLtMatmulDesc_t desc,
                                              cublasLtMatrixLayout_t a, cublasLtMatrixLayout_t b,
                                              cublasLtMatrixLayout_t c, cublasLtMatrixLayout_t d,
                                              cublasLtMatmulPreference_t pref, int requested,
                                              cublasLtMatmulHeuristicResult_t results[], int* returned) {
    if (!h || h->magic != 0x4c74 || !pref || requested <= 0 || !results || !returned)
        return CUBLAS_STATUS_INVALID_VALUE;
    const cublasStatus_t s = validate(desc, a, b, c, d);
    if (s != CUBLAS_STATUS_SUCCESS) return s;
    results[0] = cublasLtMatmulHeuristicResult_t{};
    results[0].algo.data[0] = 0x656d75;  // "emu": the one algorithm, needing no workspace,
    for (int i = 0; i < 4; ++i) results[0].algo.data[1 + i] = pref->min_alignment[i];  // for these alignments
    results[0].state = CUBLAS_STATUS_SUCCESS;
    results[0].wavesCount = 1.f;
    *returned = 1;
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasLtMatmul(cublasLtHandle_t h, cublasLtMatmulDesc_t desc, const void* alpha, const void* A,
                              cublasLtMatrixLayout_t a, const void* B, cublasLtMatrixLayout_t b,
                              const void* beta, const void* C, cublasLtMatrixLayout_t c, void* D,
                              cublasLtMatrixLayout_t d, const cublasLtMatmulAlgo_t* algo, void*, size_t,
                              cudaStream_t) {
    if (!h || h->magic != 0x4c74 || !alpha || !beta) return CUBLAS_STATUS_INVALID_VALUE;
    const cublasStatus_t s = validate(desc, a, b, c, d);
    if (s != CUBLAS_STATUS_SUCCESS) return s;
    if (algo && algo->data[0] != 0x656d75) return CUBLAS_STATUS_INVALID_VALUE;
    if (algo) {  // pointers less aligned than the algorithm was chosen for
        const void* ptrs[4] = {A, B, C, D};
        for (int i = 0; i < 4; ++i)
            if (ptrs[i] && reinterpret_cast<uintptr_t>(ptrs[i]) % algo->data[1 + i] != 0)
                return CUBLAS_STATUS_INVALID_VALUE;
    }
    const float al = *static_cast<const float*>(alpha), be = *static_cast<const float*>(beta);
    const bool ta = desc->trans_a != CUBLAS_OP_N, tb = desc->trans_b != CUBLAS_OP_N;
    const bool bias = desc->epilogue & CUBLASLT_EPILOGUE_BIAS, relu = desc->epilogue & CUBLASLT_EPILOGUE_RELU;
    const int64_t m = int64_t(d->rows), n = int64_t(d->cols), k = int64_t(ta ? a->rows : a->cols);
    if ((m * n > 0 && !D) || (m * n * k > 0 && (!A || !B)) || (be != 0.f && !C) || (bias && !desc->bias))
        return CUBLAS_STATUS_INVALID_VALUE;
    // Column-major: element (i, j) of a matrix with leading dimension ld sits at i + j * ld.
#pragma omp parallel for schedule(static)
    for (int64_t j = 0; j < n; ++j)
        for (int64_t i = 0; i < m; ++i) {
            double acc = 0;
            for (int64_t p = 0; p < k; ++p) {
                const double x = load(A, a->type, ta ? p + i * a->ld : i + p * a->ld);
                const double y = load(B, b->type, tb ? j + p * b->ld : p + j * b->ld);
                acc += x * y;
            }
            double v = double(al) * acc;
            if (be != 0.f) v += double(be) * load(C, c->type, i + j * c->ld);
            if (bias) v += load(desc->bias, d->type, i);
            if (relu && v < 0) v = 0;
            store(D, d->type, i + j * d->ld, v);
        }
    return CUBLAS_STATUS_SUCCESS;
}
