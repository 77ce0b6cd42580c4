// Throughput of the flash attention kernels (kernels/attention_{forward,backward}_cuda.cu),
// forward and backward, float and bf16 storage, head size D = 64 and 128, Tq = Tk in {32,
// 64, 128, 256, 512}, causal and not, no dropout, no padding. The batch is the training
// batch of the Transformer-big benchmark: 16384 tokens (B = 16384 / T sentences) and model
// width 1024 (H = 1024 / D heads), q, k, v, out in the (B*T, H*D) head-slice layout.
// PyTorch's scaled_dot_product_attention on the same shapes: bench_attention_torch.py,
// same columns (scripts/gpu-check.sh prints the ratios).
//
// FLOPs (FlashAttention's convention): forward 4 B H Tq Tk D (QK^T and PV, 2 per
// multiply-add); backward 2.5 x forward (five products: QK^T recomputed, dV, dP, dQ, dK);
// causal counts half of each. Timing: CUDA events around each launch after 3 warm-up
// launches, median of the repeats. The inputs (320 MB in float) far exceed the L2 cache,
// so one set is timed. Random non-zero data; the output and dq are read back once per
// shape and must be finite (a kernel that fails is not timed as if it ran).
// Usage: bench_attention_cuda [--smoke] [--repeats N]   (exit 77 when no CUDA device)
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/attention.h"
#include "kernels/counter_rng.h"
#include "kernels/cuda_utils.cuh"

namespace {

namespace kc = deepnet::kernels::cuda;
using deepnet::kernels::bf16;

// Values in [-1, -0.1] U [0.1, 1]: random and never zero.
template <typename T>
__global__ void fill_kernel(T* p, int64_t n, uint64_t key) {
    for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
        const float v = 0.1f + 0.9f * deepnet::kernels::uniform01(key, uint64_t(i));
        p[i] = kc::detail::from_float<T>((i & 1) ? v : -v);
    }
}

template <typename T>
T* alloc_random(int64_t n, uint64_t key) {
    T* p = nullptr;
    CUDA_CHECK(cudaMalloc(&p, size_t(n) * sizeof(T)));
    fill_kernel<T><<<1024, 256>>>(p, n, key);
    CUDA_CHECK(cudaGetLastError());
    return p;
}

float host_float(float v) { return v; }
float host_float(bf16 v) {
    const uint32_t u = uint32_t(v.bits) << 16;
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

template <typename T>
void require_finite(const T* d, int64_t n, const char* what) {
    std::vector<T> h(static_cast<size_t>(n));
    CUDA_CHECK(cudaMemcpy(h.data(), d, size_t(n) * sizeof(T), cudaMemcpyDeviceToHost));
    for (const T& x : h)
        if (!std::isfinite(host_float(x))) throw std::runtime_error(std::string(what) + " is not finite");
}

template <typename F>
double median_ms(int repeats, F&& launch) {
    cudaEvent_t a, b;
    CUDA_CHECK(cudaEventCreate(&a));
    CUDA_CHECK(cudaEventCreate(&b));
    for (int i = 0; i < 3; ++i) launch();
    std::vector<float> t(static_cast<size_t>(repeats));
    for (int i = 0; i < repeats; ++i) {
        CUDA_CHECK(cudaEventRecord(a));
        launch();
        CUDA_CHECK(cudaEventRecord(b));
        CUDA_CHECK(cudaEventSynchronize(b));
        CUDA_CHECK(cudaEventElapsedTime(&t[size_t(i)], a, b));
    }
    CUDA_CHECK(cudaEventDestroy(a));
    CUDA_CHECK(cudaEventDestroy(b));
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

template <typename T>
void bench(int64_t tokens, int64_t D, int64_t T_, bool causal, int repeats) {
    const int64_t H = 1024 / D, B = std::max<int64_t>(1, tokens / T_), C = H * D, n = B * T_ * C;
    const kc::AttentionDims d{B, T_, T_, H, D, C, C, C, C};
    T *q = alloc_random<T>(n, 1), *k = alloc_random<T>(n, 2), *v = alloc_random<T>(n, 3);
    T *out = alloc_random<T>(n, 4), *dout = alloc_random<T>(n, 5);
    T *dq = alloc_random<T>(n, 6), *dk = alloc_random<T>(n, 7), *dv = alloc_random<T>(n, 8);
    float *lse = nullptr, *scratch = nullptr;
    int64_t* key_len = nullptr;
    CUDA_CHECK(cudaMalloc(&lse, size_t(B * H * T_) * 4));
    CUDA_CHECK(cudaMalloc(&scratch, size_t(kc::attention_backward_scratch_floats(d)) * 4));
    CUDA_CHECK(cudaMalloc(&key_len, size_t(B) * 8));
    const std::vector<int64_t> lens(static_cast<size_t>(B), T_);
    CUDA_CHECK(cudaMemcpy(key_len, lens.data(), size_t(B) * 8, cudaMemcpyHostToDevice));
    auto fwd = [&] { kc::attention_forward<T>(out, lse, q, k, v, key_len, causal, 0.f, 0, d, nullptr); };
    auto bwd = [&] {
        kc::attention_backward<T>(dq, dk, dv, dout, lse, out, q, k, v, key_len, causal, 0.f, 0, d, scratch, nullptr);
    };
    fwd();
    bwd();
    CUDA_CHECK(cudaDeviceSynchronize());
    require_finite(out, n, "the forward's output");
    require_finite(dq, n, "the backward's dq");
    const double fwd_ms = median_ms(repeats, fwd), bwd_ms = median_ms(repeats, bwd);
    const double fwd_flops = 4.0 * B * H * T_ * T_ * D * (causal ? 0.5 : 1.0);
    const char* type = sizeof(T) == 2 ? "bf16" : "float";
    for (int op = 0; op < 2; ++op) {
        const double ms = op ? bwd_ms : fwd_ms, flops = op ? 2.5 * fwd_flops : fwd_flops;
        std::printf("%-4s %-6s %4lld %4lld %5lld %3lld %-6s %10.1f %9.2f\n", op ? "bwd" : "fwd", type, (long long)D,
                    (long long)T_, (long long)B, (long long)H, causal ? "causal" : "full", ms * 1e3,
                    flops / (ms * 1e-3) / 1e12);
    }
    std::fflush(stdout);
    for (void* p : {(void*)q, (void*)k, (void*)v, (void*)out, (void*)dout, (void*)dq, (void*)dk, (void*)dv,
                    (void*)lse, (void*)scratch, (void*)key_len})
        CUDA_CHECK(cudaFree(p));
}

}  // namespace

int main(int argc, char** argv) {
    bool smoke = false;
    int repeats = 20;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--smoke")) smoke = true;
        else if (!std::strcmp(argv[i], "--repeats") && i + 1 < argc) repeats = std::max(3, std::atoi(argv[++i]));
        else {
            std::fprintf(stderr, "usage: bench_attention_cuda [--smoke] [--repeats N]\n");
            return 2;
        }
    }
    int count = 0;
    if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) {
        std::printf("no CUDA device: skipped\n");
        return 77;
    }
    // --smoke: one length, 2 sentences (each shape's code path, cheap enough to emulate in CI).
    const int64_t tokens = smoke ? 64 : 16384;
    if (smoke) repeats = 3;
    const std::vector<int64_t> lengths = smoke ? std::vector<int64_t>{32} : std::vector<int64_t>{32, 64, 128, 256, 512};
    try {
        cudaDeviceProp prop{};
        CUDA_CHECK(cudaGetDeviceProperties(&prop, 0));
        std::printf("device: %s, sm_%d%d, %d SMs; %lld tokens per batch, model width 1024, median of %d\n", prop.name,
                    prop.major, prop.minor, prop.multiProcessorCount, (long long)tokens, repeats);
        std::printf("%-4s %-6s %4s %4s %5s %3s %-6s %10s %9s\n", "op", "type", "D", "T", "B", "H", "mask", "time_us",
                    "TFLOP/s");
        for (int64_t D : {64, 128})
            for (int64_t T_ : lengths)
                for (bool causal : {false, true}) {
                    bench<bf16>(tokens, D, T_, causal, repeats);
                    bench<float>(tokens, D, T_, causal, repeats);
                }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_attention_cuda: %s\n", e.what());
        return 1;
    }
    return 0;
}
