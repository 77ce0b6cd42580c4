// The CUDA device context: device query, one stream, the cuBLASLt handle and its
// workspace, and checked device allocation. Compiles without nvcc or CUDA headers (the two
// handle types are declared as the CUDA headers declare them); defined in
// cuda_context_cuda.cu, which exists only in CUDA builds (DEEPNET_WITH_CUDA).
// Out of memory is an error that names what was being allocated, the bytes asked for and
// the device's free and total memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

typedef struct CUstream_st* cudaStream_t;
typedef struct cublasLtContext* cublasLtHandle_t;

namespace deepnet {

struct CudaDeviceInfo {
    int index = -1;
    std::string name;
    int cc_major = 0, cc_minor = 0;
    int sm_count = 0;
    size_t total_bytes = 0, free_bytes = 0;
    size_t l2_bytes = 0;
    size_t smem_per_block_optin = 0;  // shared memory one block may opt in to
    double peak_bandwidth_gbs = 0;    // from memory clock and bus width; 0 when unknown
    bool emulated = false;            // the CPU emulation of tests/cuda_emu (no NCCL, no timing)
};

// Number of CUDA devices; 0 when there is none or no driver (never throws).
int cuda_device_count();

CudaDeviceInfo cuda_device_info(int device);

// One line: "GPU 0: NVIDIA H100 80GB HBM3, sm_90, 132 SMs, 79.1 GiB (78.5 free), L2 50 MiB".
std::string describe(const CudaDeviceInfo& info);

// cudaMalloc that throws deepnet::Error on failure. Out of memory reads e.g.
// "out of GPU memory allocating activations: asked for 12884901888 bytes (12.00 GiB);
// 3.20 GiB free of 79.10 GiB on GPU 0 (NVIDIA H100 80GB HBM3)".
void* cuda_alloc(size_t bytes, const char* what);
void cuda_free(void* p) noexcept;
// Copies device memory to the host after the stream's earlier work (synchronous).
void cuda_copy_to_host(void* dst, const void* src, size_t bytes, cudaStream_t stream);
// Makes `device` the calling thread's current device for its lifetime, then restores the
// previous one: allocation, copies and synchronisation then name their device whatever
// thread calls them.
class CudaDeviceScope {
public:
    explicit CudaDeviceScope(int device);
    ~CudaDeviceScope();
    CudaDeviceScope(const CudaDeviceScope&) = delete;
    CudaDeviceScope& operator=(const CudaDeviceScope&) = delete;

private:
    int previous_ = -1;
};

// Synchronous copy in any direction (host or device pointers, unified addressing) and
// zeroing, each after all earlier work of the device and finished on return (device-wide
// synchronisations: for uploads, read-backs and checkpoints, not the inner loop).
void cuda_copy(void* dst, const void* src, size_t bytes);
void cuda_zero(void* p, size_t bytes);

// One device, its stream and its cuBLASLt handle. Passed explicitly (no globals).
class CudaContext {
public:
    explicit CudaContext(int device = 0, size_t lt_workspace_bytes = size_t(32) << 20);
    ~CudaContext();
    CudaContext(const CudaContext&) = delete;
    CudaContext& operator=(const CudaContext&) = delete;

    int device() const { return info_.index; }
    const CudaDeviceInfo& info() const { return info_; }
    cudaStream_t stream() const { return stream_; }
    cublasLtHandle_t cublaslt() const { return lt_; }
    void* lt_workspace() const { return lt_workspace_; }
    size_t lt_workspace_bytes() const { return lt_workspace_bytes_; }
    void synchronize() const;  // waits for the stream; throws on an asynchronous error

private:
    void release() noexcept;

    CudaDeviceInfo info_;
    cudaStream_t stream_ = nullptr;
    cublasLtHandle_t lt_ = nullptr;
    void* lt_workspace_ = nullptr;
    size_t lt_workspace_bytes_ = 0;
};

// An owning device array of `count` elements of T (contents undefined).
template <typename T>
class CudaBuffer {
public:
    CudaBuffer() = default;
    CudaBuffer(int64_t count, const char* what)
        : p_(static_cast<T*>(cuda_alloc(size_t(count) * sizeof(T), what))), n_(count) {}
    ~CudaBuffer() { cuda_free(p_); }
    CudaBuffer(CudaBuffer&& o) noexcept : p_(o.p_), n_(o.n_) { o.p_ = nullptr, o.n_ = 0; }
    CudaBuffer& operator=(CudaBuffer&& o) noexcept {
        if (this != &o) {
            cuda_free(p_);
            p_ = o.p_, n_ = o.n_;
            o.p_ = nullptr, o.n_ = 0;
        }
        return *this;
    }
    CudaBuffer(const CudaBuffer&) = delete;
    CudaBuffer& operator=(const CudaBuffer&) = delete;

    T* data() const { return p_; }
    int64_t size() const { return n_; }
    size_t bytes() const { return size_t(n_) * sizeof(T); }

private:
    T* p_ = nullptr;
    int64_t n_ = 0;
};

}  // namespace deepnet
