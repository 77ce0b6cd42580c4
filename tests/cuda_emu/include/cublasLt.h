// Emulated cublasLt.h: the handle only (no GEMM is emulated yet; the CUDA context creates one).
#pragma once

#include "emu.h"

typedef struct cublasLtContext* cublasLtHandle_t;
typedef enum { CUBLAS_STATUS_SUCCESS = 0, CUBLAS_STATUS_NOT_INITIALIZED = 1 } cublasStatus_t;
cublasStatus_t cublasLtCreate(cublasLtHandle_t* h);
cublasStatus_t cublasLtDestroy(cublasLtHandle_t h);
const char* cublasLtGetStatusString(cublasStatus_t s);
