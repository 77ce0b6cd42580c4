// Forward+backward benchmark of the model on the fixed shape (6+6 layers, d=256, 4 heads,
// FFN 1024, vocab 8000, 64 sentences x 32 tokens, deepnorm, dropout 0.1): target tokens/s,
// achieved matmul GFLOP/s and its fraction of the GEMM ceiling measured in the same run.
// Usage: bench_model [threads] [--recompute]
#include <cstdlib>
#include <cstring>
#include <vector>

#include "bench_common.h"
#include "kernels/linear.h"
#include "kernels/onednn_matmul.h"
#include "src/core/blas_setup.h"
#include "src/model/transformer.h"

using namespace deepnet;

namespace {

// The GEMM ceiling for this model's shapes: the y = x W^T product of the FFN, the most
// common large shape in a step, on the GEMM the float model uses (oneDNN float32).
double gemm_ceiling_gflops(int64_t R, int64_t C, int64_t F) {
    std::vector<float> A(size_t(R * C), 0.5f), B(size_t(F * C), 0.25f), Y(size_t(R * F));
    const double t = bench::time_per_call([&] {
        kernels::cpu::gemm_f32(false, true, R, F, C, A.data(), C, B.data(), C, 0.0f, Y.data(), F);
    }, 0.5);
    return 2.0 * double(R) * double(F) * double(C) / t / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
    ensure_fast_blas(argv);
    bool recompute = false;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--recompute")) recompute = true;
        else set_cpu_threads(std::atoi(argv[i]));
    }
    ModelConfig cfg = bench::benchmark_config();
    cfg.recompute = recompute;
    Transformer<float> model(cfg);
    model.init_parameters();
    const int64_t B = bench::kBenchSentences, L = bench::kBenchLength;
    std::vector<std::vector<int64_t>> src(static_cast<size_t>(B)), tgt(static_cast<size_t>(B));
    for (int64_t b = 0; b < B; ++b)
        for (int64_t t = 0; t < L - 1; ++t) {  // + </s> = L tokens each
            src[size_t(b)].push_back(4 + (b * 31 + t * 7) % (cfg.vocab_size - 4));
            tgt[size_t(b)].push_back(4 + (b * 17 + t * 13) % (cfg.vocab_size - 4));
        }
    const Batch batch = make_batch(src, tgt, cfg);
    uint64_t step = 0;
    const double t = bench::time_per_call([&] {
        StepRng rng{cfg.seed, step++, true};
        model.params().zero_grad();
        const LossStats st = model.forward(batch, rng);
        model.backward(batch, rng, 1.0 / double(st.tokens));
    }, 3.0);
    const double flops = 3 * bench::forward_matmul_flops(cfg, B, L, L);
    const double ceiling = gemm_ceiling_gflops(B * L, cfg.dim_emb, cfg.dim_ffn);
    std::printf("BLAS core: %s\n", blas_core_name().c_str());
    std::printf("model: 6+6 layers, d=256, 4 heads, FFN 1024, vocab 8000, batch 64 x 32, deepnorm%s\n",
                recompute ? ", recompute" : "");
    std::printf("parameters: %.2fM\n", double(model.spec().layout.count()) / 1e6);
    std::printf("step (forward+backward): %.1f ms\n", t * 1e3);
    std::printf("target tokens/s: %.0f\n", double(batch.target_tokens) / t);
    std::printf("matmul GFLOP/s: %.1f (GEMM ceiling %.1f GFLOP/s): %.0f%% of ceiling\n",
                flops / t / 1e9, ceiling, 100.0 * flops / t / 1e9 / ceiling);
    return 0;
}
