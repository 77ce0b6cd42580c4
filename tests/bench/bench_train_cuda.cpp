// The whole training step on one GPU (issue 11): forward, backward, the gradient norm and
// the AdamW update, as TrainingSession::update does them, on a Transformer-big-shaped
// DeepNorm model (6+6 layers, d=1024, FFN 4096, 16 heads, vocabulary 32000, untied, dropout
// 0.1, label smoothing 0.1) with synthetic batches: random token ids, no data files, no
// SentencePiece. float32, or with --bf16 float32 weights and activations with bf16 GEMMs
// (`precision: [bfloat16, float32]`: operands rounded to bf16 copies, fp32 sums; bf16
// storage is not built yet). The PyTorch twin is
// tests/bench/peer_pytorch_train_cuda.py (same shape, same FLOP count).
//
// Model FLOPs per step = 3 x forward_matmul_flops (tests/bench/bench_common.h): every
// projection, FFN and output-layer GEMM (2 x weights x tokens; the encoder's over source
// tokens, the decoder's over target tokens) plus the attention products (QK^T and PV, 4 x
// Tq x Tk x d per layer and sentence, causal self-attention counted in full), times 3 for
// forward + backward. That is the usual 6 N tokens + attention. MFU = those FLOPs / (step
// time x peak): against 989.5 TFLOP/s (H100/H200 dense bf16, docs/performance-anchors) and
// against the card's fp32 CUDA-core peak (SMs x 128 lanes x 2 x clock, read off the device),
// since our GEMMs are fp32 without TF32.
//
// Usage: bench_train_cuda [--steps N] [--warmup W] [--tokens T] [--len L] [--device D]
//        bench_train_cuda --parity   one step on the GPU and on the CPU from the same
//            weights and batch: the loss and every named gradient compared (exit 1 beyond
//            the tolerances printed); a smaller model (2+2, d=256, 4 heads, vocab 1000).
//        --bf16: bf16 GEMMs (precision: [bfloat16, float32]), as deepnet train runs them.
//        --smoke: tiny sizes, for the emulated build's CTest run (and a GPU sanity run).
// Exit 77 when no CUDA device is found.
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "bench_common.h"
#include "src/core/blas_setup.h"
#include "src/model/transformer.h"
#include "src/ops/device_runtime.h"
#include "src/train/lr_schedule.h"
#include "src/train/optimizer.h"

using namespace deepnet;

namespace {

using Ids = std::vector<std::vector<int64_t>>;

constexpr double kBf16DensePeak = 989.5e12;  // H100 SXM / H200, docs/performance-anchors.md

ModelConfig big_config(bool smoke, bool parity) {
    ModelConfig c;
    c.norm = NormScheme::DeepNorm;
    c.dropout = 0.1;
    c.label_smoothing = 0.1;
    if (smoke) {  // 2 heads of 32: the attention kernels' smallest head size in the tests
        c.enc_depth = c.dec_depth = 1, c.dim_emb = 64, c.heads = 2, c.dim_ffn = 96, c.vocab_size = 100;
    } else if (parity) {  // D = 64 heads, big enough for every kernel's multi-block paths
        c.enc_depth = c.dec_depth = 2, c.dim_emb = 256, c.heads = 4, c.dim_ffn = 1024, c.vocab_size = 1000;
    } else {
        c.enc_depth = c.dec_depth = 6, c.dim_emb = 1024, c.heads = 16, c.dim_ffn = 4096, c.vocab_size = 32000;
    }
    return c;
}

// B sentences of random ids (4.. vocab-1: 0-3 are the special tokens); `ragged` varies the
// lengths (below L) so the padding masks take part, else every sentence has L-1 tokens
// (+ </s> = L, the twin's shape).
void random_ids(int64_t B, int64_t L, int64_t V, bool ragged, uint64_t seed, Ids& src, Ids& tgt) {
    std::mt19937_64 gen(seed);
    std::uniform_int_distribution<int64_t> tok(4, V - 1);
    for (int64_t b = 0; b < B; ++b) {
        const int64_t ls = ragged ? L - 1 - (b * 7) % (L / 2) : L - 1;
        const int64_t lt = ragged ? L - 1 - (b * 5) % (L / 2) : L - 1;
        src.emplace_back(), tgt.emplace_back();
        for (int64_t t = 0; t < ls; ++t) src.back().push_back(tok(gen));
        for (int64_t t = 0; t < lt; ++t) tgt.back().push_back(tok(gen));
    }
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

size_t device_bytes_in_use() {
    size_t free_b = 0, total_b = 0;
    if (cudaMemGetInfo(&free_b, &total_b) != cudaSuccess) return 0;
    return total_b - free_b;
}

struct Step {
    LossStats loss;
    UpdateInfo update;
};

Step train_step(Transformer<float>& model, AdamW<float>& opt, const Batch& batch, double lr, uint64_t update) {
    model.params().zero_grad();
    const StepRng rng{model.config().seed, update, true};
    Step s;
    s.loss = model.forward(batch, rng);
    model.backward(batch, rng, 1.0);
    s.update = opt.step(model.context(), model.params(), lr, 1.0 / double(s.loss.tokens));
    return s;
}

// One forward + backward on each device from the same initial weights (initialised on the
// host, then copied), the same batch and dropout bits. Summation orders differ (cuBLASLt
// against oneDNN, the kernels' reductions against the CPU loops), so the check is relative:
// per tensor, ||g_gpu - g_cpu|| <= 1e-4 ||g_cpu|| + 1e-6 sqrt(n) max|g|, the second term
// for tensors whose exact gradient is zero (the key biases: the softmax ignores them, so
// both sides hold rounding noise). fp32 throughout; observed errors are printed.
int run_parity(bool smoke, int device) {
    const ModelConfig cfg = big_config(smoke, true);
    const int64_t B = smoke ? 4 : 24, L = smoke ? 12 : 40;
    Ids src, tgt;
    random_ids(B, L, cfg.vocab_size, true, 7, src, tgt);
    const Batch batch = make_batch(src, tgt, cfg);
    ops::DeviceRuntime cpu_rt, gpu_rt(Device{DeviceKind::CUDA, device});
    std::printf("parity: %s\n", gpu_rt.describe().c_str());
    Transformer<float> cpu(cfg, ModelUse::Training, cpu_rt.context());
    Transformer<float> gpu(cfg, ModelUse::Training, gpu_rt.context());
    cpu.init_parameters();
    gpu.init_parameters();
    const StepRng rng{cfg.seed, 0, true};
    cpu.params().zero_grad();
    gpu.params().zero_grad();
    const LossStats lc = cpu.forward(batch, rng), lg = gpu.forward(batch, rng);
    cpu.backward(batch, rng, 1.0);
    gpu.backward(batch, rng, 1.0);
    gpu_rt.synchronize();
    const std::vector<float> gc = cpu.params().grad.to_vector(), gg = gpu.params().grad.to_vector();
    const std::vector<float> wc = cpu.params().value.to_vector(), wg = gpu.params().value.to_vector();
    int bad = 0;
    if (wc != wg) {
        std::printf("FAIL: the initial weights differ between the devices\n");
        ++bad;
    }
    const double loss_rel = std::fabs(lg.loss - lc.loss) / std::fabs(lc.loss);
    const bool loss_ok = lg.tokens == lc.tokens && loss_rel <= 1e-5;
    bad += !loss_ok;
    std::printf("loss per token: gpu %.8f cpu %.8f (relative difference %.2e, tolerance 1e-5) %s\n",
                lg.loss / double(lg.tokens), lc.loss / double(lc.tokens), loss_rel, loss_ok ? "ok" : "FAIL");
    double gmax = 0;
    for (float x : gc) gmax = std::max(gmax, double(std::fabs(x)));
    double worst = 0;
    std::string worst_name;
    const auto& entries = cpu.spec().layout.entries();
    for (const ParamEntry& e : entries) {
        double d2 = 0, n2 = 0;
        bool finite = true;
        for (int64_t i = e.offset; i < e.offset + e.size; ++i) {
            const double a = gg[size_t(i)], c = gc[size_t(i)];
            finite = finite && std::isfinite(a);
            d2 += (a - c) * (a - c), n2 += c * c;
        }
        const double allowed = 1e-4 * std::sqrt(n2) + 1e-6 * std::sqrt(double(e.size)) * gmax;
        const double rel = std::sqrt(d2) / std::max(std::sqrt(n2), 1e-30);
        const bool ok = finite && std::sqrt(d2) <= allowed;
        if (!ok) ++bad;
        // The worst among the tensors the relative term governs (not the zero-gradient ones).
        if (rel > worst && std::sqrt(n2) > 100 * (allowed - 1e-4 * std::sqrt(n2))) worst = rel, worst_name = e.name;
        if (!ok) std::printf("FAIL gradient %s: |gpu-cpu| %.3e > allowed %.3e (|cpu| %.3e)\n", e.name.c_str(),
                             std::sqrt(d2), allowed, std::sqrt(n2));
    }
    std::printf("gradients: %zu named tensors, worst relative L2 difference %.2e (%s), tolerance 1e-4\n",
                entries.size(), worst, worst_name.c_str());
    std::printf("parity: %s\n", bad ? "FAILED" : "passed");
    return bad ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
    ensure_fast_blas(argv);
    int64_t steps = 20, warmup = 3, tokens = 16384, len = 64;
    int device = 0;
    bool smoke = false, parity = false, bf16 = false;
    for (int i = 1; i < argc; ++i) {
        const bool more = i + 1 < argc;
        if (!std::strcmp(argv[i], "--steps") && more) steps = std::atoll(argv[++i]);
        else if (!std::strcmp(argv[i], "--warmup") && more) warmup = std::atoll(argv[++i]);
        else if (!std::strcmp(argv[i], "--tokens") && more) tokens = std::atoll(argv[++i]);
        else if (!std::strcmp(argv[i], "--len") && more) len = std::atoll(argv[++i]);
        else if (!std::strcmp(argv[i], "--device") && more) device = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--smoke")) smoke = true;
        else if (!std::strcmp(argv[i], "--parity")) parity = true;
        else if (!std::strcmp(argv[i], "--bf16")) bf16 = true;
        else {
            std::fprintf(stderr, "bench_train_cuda: unknown argument %s\n", argv[i]);
            return 2;
        }
    }
    int count = 0;
    if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) {
        std::printf("no CUDA device: skipped\n");
        return 77;
    }
    if (smoke) steps = std::min<int64_t>(steps, 2), warmup = 1, tokens = 64, len = 16;
    try {
        if (parity) return run_parity(smoke, device);
        const ModelConfig cfg = big_config(smoke, false);
        const int64_t B = std::max<int64_t>(1, tokens / len);
        Ids src, tgt;
        random_ids(B, len, cfg.vocab_size, false, 1, src, tgt);
        const Batch batch = make_batch(src, tgt, cfg);
        const size_t base_bytes = device_bytes_in_use();
        ops::DeviceRuntime rt(Device{DeviceKind::CUDA, device});
        Transformer<float> model(cfg, ModelUse::Training, rt.context());
        if (bf16) model.context().precision.gemm = DType::BF16;
        model.init_parameters();
        AdamW<float> opt(AdamConfig{0.9, 0.98, 1e-8, 0, 0});
        const LrSchedule sched{5e-4, 4000, 4000};  // deepnet train's defaults
        uint64_t update = 0;
        Step last;
        size_t peak = 0;
        for (int64_t i = 0; i < warmup; ++i, ++update) last = train_step(model, opt, batch, sched.at(int64_t(update) + 1), update);
        std::vector<double> times;
        for (int64_t i = 0; i < steps; ++i, ++update) {
            rt.synchronize();
            const double t0 = bench::now_seconds();
            last = train_step(model, opt, batch, sched.at(int64_t(update) + 1), update);
            rt.synchronize();
            times.push_back(bench::now_seconds() - t0);
            peak = std::max(peak, device_bytes_in_use());
        }
        const double loss = last.loss.loss / double(last.loss.tokens);
        if (!std::isfinite(loss)) throw std::runtime_error("the loss is not finite");
        cudaDeviceProp prop{};
        int clock_khz = 0;
        if (cudaGetDeviceProperties(&prop, device) != cudaSuccess ||
            cudaDeviceGetAttribute(&clock_khz, cudaDevAttrClockRate, device) != cudaSuccess || clock_khz <= 0)
            throw std::runtime_error("cannot read the device's multiprocessor count and clock");
        const double fp32_peak = double(prop.multiProcessorCount) * 128 * 2 * clock_khz * 1e3;
        const double med = median(times);
        const double flops = 3 * bench::forward_matmul_flops(cfg, B, len, len);
        std::printf("device: %s\n", rt.describe().c_str());
        std::printf("model: %lld+%lld layers, d=%lld, %lld heads, FFN %lld, vocab %lld, deepnorm, dropout 0.1, "
                    "label smoothing 0.1, AdamW, %s\n",
                    (long long)cfg.enc_depth, (long long)cfg.dec_depth, (long long)cfg.dim_emb, (long long)cfg.heads,
                    (long long)cfg.dim_ffn, (long long)cfg.vocab_size,
                    bf16 ? "float32 weights and activations, bf16 GEMMs (fp32 sums)" : "float32 (no TF32)");
        std::printf("parameters: %lld\n", (long long)model.spec().layout.count());
        std::printf("batch: %lld sentences x %lld tokens (source and target), %lld target tokens\n", (long long)B,
                    (long long)len, (long long)batch.target_tokens);
        std::printf("steps: %lld after %lld warm-up, last loss %.4f\n", (long long)steps, (long long)warmup, loss);
        std::printf("step: median %.2f ms, min %.2f ms\n", med * 1e3,
                    *std::min_element(times.begin(), times.end()) * 1e3);
        std::printf("model FLOPs per step: %.4g (3 x forward matmul FLOPs)\n", flops);
        std::printf("RESULT ours %s: target tokens/s %.0f, TFLOP/s %.2f, MFU %.2f%% of bf16 dense 989.5, "
                    "%.1f%% of fp32 peak %.1f\n",
                    bf16 ? "bf16-gemm" : "fp32", double(batch.target_tokens) / med, flops / med / 1e12, 100 * flops / med / kBf16DensePeak,
                    100 * flops / med / fp32_peak, fp32_peak / 1e12);
        std::printf("device memory in use: peak %.2f GiB (cudaMemGetInfo, this program's share: %.2f GiB)\n",
                    double(peak) / (1 << 30), double(peak - std::min(peak, base_bytes)) / (1 << 30));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_train_cuda: %s\n", e.what());
        return 1;
    }
    return 0;
}
