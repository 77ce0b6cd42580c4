// Bandwidth of the fused residual + LayerNorm kernels, y = LN(alpha x + f), forward and
// backward, at C = 512 and 1024 with N = 16384 rows (issue 5: at least 75% of the card's
// memory bandwidth, about 2.5 TB/s on an H100), in bf16 and float storage.
//
// Bytes counted are the fewest the op must move: forward reads x, f, gamma, beta and
// writes y, mean, rstd; backward reads dy, x, f, gamma, mean, rstd and writes dx, df,
// dgamma, dbeta (the per-block partial sums are extra traffic and are not counted). The
// ceiling printed beside them is a measured device-to-device copy (bytes read + written)
// and the datasheet-style peak from the memory clock and bus width.
// Timing: CUDA events around each launch, after warm-up, median of the repeats; inputs
// rotate over enough sets to defeat the L2 cache; random non-zero data.
// Usage: bench_layernorm_cuda [repeats]   (exit 77 when no CUDA device is found)
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "kernels/counter_rng.h"
#include "kernels/cuda_utils.cuh"
#include "kernels/residual_layernorm.h"

namespace {

namespace kc = deepnet::kernels::cuda;
using deepnet::kernels::bf16;

// Values in [-1, -0.1] U [0.1, 1]: random and never zero.
template <typename T>
__global__ void fill_kernel(T* p, int64_t n, uint64_t key) {
    for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
         i += int64_t(gridDim.x) * blockDim.x) {
        const float u = deepnet::kernels::uniform01(key, uint64_t(i));
        const float v = 0.1f + 0.9f * u;
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

template <typename F>
double median_ms(int repeats, F&& launch) {
    cudaEvent_t a, b;
    CUDA_CHECK(cudaEventCreate(&a));
    CUDA_CHECK(cudaEventCreate(&b));
    for (int i = 0; i < 5; ++i) launch(i);
    std::vector<float> t(static_cast<size_t>(repeats));
    for (int i = 0; i < repeats; ++i) {
        CUDA_CHECK(cudaEventRecord(a));
        launch(i);
        CUDA_CHECK(cudaEventRecord(b));
        CUDA_CHECK(cudaEventSynchronize(b));
        CUDA_CHECK(cudaEventElapsedTime(&t[size_t(i)], a, b));
    }
    CUDA_CHECK(cudaEventDestroy(a));
    CUDA_CHECK(cudaEventDestroy(b));
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

double copy_gbs(int repeats) {
    const size_t bytes = size_t(1) << 30;
    void *src = nullptr, *dst = nullptr;
    CUDA_CHECK(cudaMalloc(&src, bytes));
    CUDA_CHECK(cudaMalloc(&dst, bytes));
    CUDA_CHECK(cudaMemset(src, 1, bytes));
    const double ms = median_ms(repeats, [&](int) {
        CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice));
    });
    CUDA_CHECK(cudaFree(src));
    CUDA_CHECK(cudaFree(dst));
    return 2.0 * double(bytes) / (ms * 1e-3) / 1e9;
}

struct Row {
    std::string op, type;
    int64_t N, C;
    double us, gbs;
};

template <typename T>
void bench(int64_t N, int64_t C, int repeats, size_t l2_bytes, std::vector<Row>& rows) {
    const int64_t nc = N * C;
    const size_t set_bytes = size_t(nc) * sizeof(T) * 6;  // x f y dy dx df
    const int sets = int(std::clamp<size_t>(4 * l2_bytes / set_bytes + 1, 2, 8));
    const float alpha = 1.7f, eps = 1e-5f;
    T *x = alloc_random<T>(nc * sets, 1), *f = alloc_random<T>(nc * sets, 2);
    T *dy = alloc_random<T>(nc * sets, 3), *y = alloc_random<T>(nc * sets, 4);
    T *dx = alloc_random<T>(nc * sets, 5), *df = alloc_random<T>(nc * sets, 6);
    T *gamma = alloc_random<T>(C, 7), *beta = alloc_random<T>(C, 8);
    float *mean = nullptr, *rstd = nullptr, *dgamma = nullptr, *dbeta = nullptr, *scratch = nullptr;
    CUDA_CHECK(cudaMalloc(&mean, size_t(N * sets) * 4));
    CUDA_CHECK(cudaMalloc(&rstd, size_t(N * sets) * 4));
    CUDA_CHECK(cudaMalloc(&dgamma, size_t(C) * 4));
    CUDA_CHECK(cudaMalloc(&dbeta, size_t(C) * 4));
    CUDA_CHECK(cudaMemset(dgamma, 0, size_t(C) * 4));
    CUDA_CHECK(cudaMemset(dbeta, 0, size_t(C) * 4));
    const int64_t scratch_floats = kc::residual_layernorm_backward_scratch_floats(N, C);
    CUDA_CHECK(cudaMalloc(&scratch, size_t(scratch_floats) * 4));

    const double s = double(sizeof(T));
    const double fwd_bytes = 3 * nc * s + 2 * C * s + 8.0 * N;
    const double bwd_bytes = 5 * nc * s + C * s + 8.0 * N + 2 * C * 4.0 * 2;
    const double fwd_ms = median_ms(repeats, [&](int i) {
        const int64_t o = int64_t(i % sets) * nc, r = int64_t(i % sets) * N;
        kc::residual_layernorm_forward<T>(y + o, mean + r, rstd + r, x + o, f + o, gamma, beta, alpha, eps, N, C, nullptr);
    });
    const double bwd_ms = median_ms(repeats, [&](int i) {
        const int64_t o = int64_t(i % sets) * nc, r = int64_t(i % sets) * N;
        kc::residual_layernorm_backward<T>(dx + o, df + o, dgamma, dbeta, dy + o, x + o, f + o,
                                           gamma, mean + r, rstd + r, alpha, N, C, scratch,
                                           nullptr);
    });
    const char* type = sizeof(T) == 2 ? "bf16" : "float";
    rows.push_back({"forward", type, N, C, fwd_ms * 1e3, fwd_bytes / (fwd_ms * 1e-3) / 1e9});
    rows.push_back({"backward", type, N, C, bwd_ms * 1e3, bwd_bytes / (bwd_ms * 1e-3) / 1e9});
    for (void* p :
         {(void*)x, (void*)f, (void*)dy, (void*)y, (void*)dx, (void*)df, (void*)gamma, (void*)beta,
          (void*)mean, (void*)rstd, (void*)dgamma, (void*)dbeta, (void*)scratch})
        CUDA_CHECK(cudaFree(p));
}

}  // namespace

int main(int argc, char** argv) {
    const int repeats = argc > 1 ? std::max(5, std::atoi(argv[1])) : 50;
    int count = 0;
    if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) {
        std::printf("no CUDA device: skipped\n");
        return 77;
    }
    try {
        cudaDeviceProp prop{};
        CUDA_CHECK(cudaGetDeviceProperties(&prop, 0));
        int clock_khz = 0, bus_bits = 0;
        cudaDeviceGetAttribute(&clock_khz, cudaDevAttrMemoryClockRate, 0);
        cudaDeviceGetAttribute(&bus_bits, cudaDevAttrGlobalMemoryBusWidth, 0);
        const double peak = 2.0 * clock_khz * 1e3 * (bus_bits / 8) / 1e9;
        const double copy = copy_gbs(repeats);
        std::printf("device: %s, sm_%d%d, %d SMs, L2 %d MiB\n", prop.name, prop.major, prop.minor,
                    prop.multiProcessorCount, prop.l2CacheSize >> 20);
        std::printf("memory: peak %.0f GB/s (clock x bus width), measured copy %.0f GB/s\n", peak,
                    copy);
        std::vector<Row> rows;
        for (int64_t C : {512, 1024}) {
            bench<bf16>(16384, C, repeats, size_t(prop.l2CacheSize), rows);
            bench<float>(16384, C, repeats, size_t(prop.l2CacheSize), rows);
        }
        std::printf("\n%-9s %-6s %6s %5s %9s %8s %7s %7s %s\n", "op", "type", "N", "C", "time_us",
                    "GB/s", "%copy", "%peak", "bar: 75% of peak");
        for (const Row& r : rows)
            std::printf("%-9s %-6s %6lld %5lld %9.1f %8.0f %6.1f%% %6.1f%% %s\n", r.op.c_str(),
                        r.type.c_str(), (long long)r.N, (long long)r.C, r.us, r.gbs,
                        100 * r.gbs / copy, peak > 0 ? 100 * r.gbs / peak : 0.0,
                        peak > 0 && r.gbs >= 0.75 * peak ? "met" : "MISSED");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_layernorm_cuda: %s\n", e.what());
        return 1;
    }
    return 0;
}
