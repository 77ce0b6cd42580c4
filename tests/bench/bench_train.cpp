// Full training-step benchmark on the foundation shape (6+6 layers, d=256, 4 heads, FFN 1024,
// vocab 8000, 64 sentences x 32 tokens, deepnorm, dropout 0.1, label smoothing 0.1): what
// TrainingSession::update does per batch, i.e. forward, backward, the global gradient norm
// and the AdamW update (betas 0.9/0.98, eps 1e-8, no weight decay: the train defaults) at the
// warm-up + inverse-sqrt learning rate. Prints target tokens/s of the median step, step
// times and peak RSS. The PyTorch peer is tests/bench/peer_pytorch_train.py.
// Usage: bench_train [threads] [--steps N] [--warmup W] [--bf16]
//   --bf16: precision [bfloat16, float32] (GEMM operands in bfloat16, the rest float32)
//        bench_train [threads] --check DIR [--check-updates K]
//   --check writes DIR/init.safetensors (the initial weights, a model file), DIR/batch.tsv
//   (source and target ids of a ragged batch), then trains K updates without dropout and
//   writes DIR/losses.tsv (loss before each update, NLL, gradient norm), DIR/grad1.safetensors
//   (the first update's gradient) and DIR/final.safetensors, for
//   peer_pytorch_train.py --check DIR.
#include <sys/resource.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "bench_common.h"
#include "src/core/blas_setup.h"
#include "src/model/deepnorm.h"
#include "src/io/model_file.h"
#include "src/model/transformer.h"
#include "src/train/lr_schedule.h"
#include "src/train/optimizer.h"

using namespace deepnet;

namespace {

using Ids = std::vector<std::vector<int64_t>>;

double peak_rss_mib() {
    rusage r{};
    getrusage(RUSAGE_SELF, &r);
    return double(r.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

struct StepResult {
    LossStats loss;
    UpdateInfo update;
};

// One update as TrainingSession::update does it (optimizer-delay 1).
StepResult train_step(Transformer<float>& model, AdamW<float>& opt, const LrSchedule& sched,
                      const Batch& batch, uint64_t update) {
    model.params().zero_grad();
    const StepRng rng{model.config().seed, update, true};
    StepResult r;
    r.loss = model.forward(batch, rng);
    model.backward(batch, rng, 1.0);
    r.update = opt.step(model.params(), sched.at(int64_t(update) + 1), 1.0 / double(r.loss.tokens));
    return r;
}

// The options of this benchmark as `deepnet train --dump-config` writes them, so the model
// file loads in DeepNet and in the PyTorch twin.
std::string config_yaml(const ModelConfig& c, const LrSchedule& s, const AdamConfig& a) {
    const ResidualConstants rc = resolve_residual_constants(c);
    char buf[2048];
    std::snprintf(buf, sizeof(buf),
                  "seed: %llu\nenc-depth: %lld\ndec-depth: %lld\ndim-emb: %lld\n"
                  "transformer-heads: %lld\ntransformer-dim-ffn: %lld\n"
                  "transformer-ffn-activation: %s\ntransformer-dropout: %.17g\n"
                  "transformer-dropout-attention: %.17g\ntransformer-dropout-ffn: %.17g\n"
                  "tied-embeddings: false\ntied-embeddings-all: false\ntransformer-norm: %s\n"
                  "deepnorm-alpha-enc: %.17g\ndeepnorm-beta-enc: %.17g\n"
                  "deepnorm-alpha-dec: %.17g\ndeepnorm-beta-dec: %.17g\n"
                  "layer-norm-eps: %.17g\nlabel-smoothing: %.17g\nrecompute: false\n"
                  "dim-vocabs: %lld\nlearn-rate: %.17g\nlr-warmup: %lld\nlr-decay-inv-sqrt: %lld\n"
                  "optimizer-params: [%.17g, %.17g, %.17g]\nclip-norm: 0\n",
                  (unsigned long long)c.seed, (long long)c.enc_depth, (long long)c.dec_depth,
                  (long long)c.dim_emb, (long long)c.heads, (long long)c.dim_ffn,
                  to_string(c.activation), c.dropout, c.dropout_attention, c.dropout_ffn,
                  to_string(c.norm), rc.alpha_enc, rc.beta_enc, rc.alpha_dec, rc.beta_dec,
                  c.layer_norm_eps, c.label_smoothing, (long long)c.vocab_size, s.learn_rate,
                  (long long)s.warmup, (long long)s.decay_inv_sqrt, a.beta1, a.beta2, a.eps);
    return buf;
}

// A ragged batch (lengths 8..32 with </s>) so the check also covers the padding masks.
void ragged_ids(int64_t B, int64_t L, int64_t V, Ids& src, Ids& tgt) {
    for (int64_t b = 0; b < B; ++b) {
        const int64_t ls = L - 1 - (b * 7) % 24, lt = L - 1 - (b * 5) % 24;
        src.emplace_back();
        tgt.emplace_back();
        for (int64_t t = 0; t < ls; ++t) src.back().push_back(4 + (b * 31 + t * 7) % (V - 4));
        for (int64_t t = 0; t < lt; ++t) tgt.back().push_back(4 + (b * 17 + t * 13) % (V - 4));
    }
}

int run_check(const std::string& dir, int64_t updates) {
    ModelConfig cfg = bench::benchmark_config();
    cfg.dropout = 0;  // the twin's dropout masks cannot match ours
    const LrSchedule sched{5e-4, 4, 4};  // a short warm-up, so the updates move the weights
    const AdamConfig ac{0.9, 0.98, 1e-8, 0, 0};
    Transformer<float> model(cfg);
    model.init_parameters();
    ModelMetadata meta;
    meta.config_yaml = config_yaml(cfg, sched, ac);
    save_model_file(dir + "/init.safetensors", model.spec(), model.params().value.data(), meta);
    Ids src, tgt;
    ragged_ids(bench::kBenchSentences, bench::kBenchLength, cfg.vocab_size, src, tgt);
    std::ofstream bt(dir + "/batch.tsv");
    for (size_t i = 0; i < src.size(); ++i) {
        for (size_t j = 0; j < src[i].size(); ++j) bt << (j ? " " : "") << src[i][j];
        bt << '\t';
        for (size_t j = 0; j < tgt[i].size(); ++j) bt << (j ? " " : "") << tgt[i][j];
        bt << '\n';
    }
    const Batch batch = make_batch(src, tgt, cfg);
    AdamW<float> opt(ac);
    std::ofstream lt(dir + "/losses.tsv");
    lt << "# update loss_per_token nll_per_token grad_norm (loss before the update)\n";
    lt.precision(9);
    for (int64_t u = 0; u < updates; ++u) {
        const StepResult r = train_step(model, opt, sched, batch, uint64_t(u));
        const double tok = double(r.loss.tokens);
        if (u == 0) {  // the gradient of the first update (per target token), for the twin
            std::vector<float> g = model.params().grad.to_vector();
            for (float& x : g) x = float(double(x) / tok);
            save_model_file(dir + "/grad1.safetensors", model.spec(), g.data(), meta);
        }
        lt << u + 1 << ' ' << r.loss.loss / tok << ' ' << r.loss.nll / tok << ' '
           << r.update.grad_norm << '\n';
        std::printf("update %lld: loss %.6f  nll %.6f  grad norm %.6f\n", (long long)(u + 1),
                    r.loss.loss / tok, r.loss.nll / tok, r.update.grad_norm);
    }
    save_model_file(dir + "/final.safetensors", model.spec(), model.params().value.data(), meta);
    std::printf("wrote %s/{init,grad1,final}.safetensors, batch.tsv, losses.tsv\n", dir.c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    ensure_fast_blas(argv);
    int64_t steps = 10, warmup = 2, check_updates = 5;
    std::string check_dir;
    bool bf16 = false;
    for (int i = 1; i < argc; ++i) {
        const bool more = i + 1 < argc;
        if (!std::strcmp(argv[i], "--steps") && more) steps = std::atoll(argv[++i]);
        else if (!std::strcmp(argv[i], "--warmup") && more) warmup = std::atoll(argv[++i]);
        else if (!std::strcmp(argv[i], "--check") && more) check_dir = argv[++i];
        else if (!std::strcmp(argv[i], "--check-updates") && more) check_updates = std::atoll(argv[++i]);
        else if (!std::strcmp(argv[i], "--bf16")) bf16 = true;
        else set_cpu_threads(std::atoi(argv[i]));
    }
    if (!check_dir.empty()) return run_check(check_dir, check_updates);

    const ModelConfig cfg = bench::benchmark_config();
    Transformer<float> model(cfg);
    model.init_parameters();
    if (bf16) model.context().precision.gemm = DType::BF16;
    const int64_t B = bench::kBenchSentences, L = bench::kBenchLength;
    Ids src(static_cast<size_t>(B)), tgt(static_cast<size_t>(B));
    for (int64_t b = 0; b < B; ++b)
        for (int64_t t = 0; t < L - 1; ++t) {  // + </s> = L tokens each (as bench_model)
            src[size_t(b)].push_back(4 + (b * 31 + t * 7) % (cfg.vocab_size - 4));
            tgt[size_t(b)].push_back(4 + (b * 17 + t * 13) % (cfg.vocab_size - 4));
        }
    const Batch batch = make_batch(src, tgt, cfg);
    const LrSchedule sched{5e-4, 4000, 4000};  // deepnet train's defaults
    AdamW<float> opt(AdamConfig{0.9, 0.98, 1e-8, 0, 0});
    uint64_t update = 0;
    StepResult last;
    for (int64_t i = 0; i < warmup; ++i) last = train_step(model, opt, sched, batch, update++);
    std::vector<double> times;
    for (int64_t i = 0; i < steps; ++i) {
        const double t0 = bench::now_seconds();
        last = train_step(model, opt, sched, batch, update++);
        times.push_back(bench::now_seconds() - t0);
    }
    const double med = median(times);
    double mean = 0;
    for (double t : times) mean += t / double(times.size());
    std::printf("GEMMs: oneDNN (float: brgemm%s); BLAS core (double only): %s\n",
                ops::bf16_gemm_uses_amx() ? ", bfloat16 on AMX" : "", blas_core_name().c_str());
    std::printf("model: 6+6 layers, d=256, 4 heads, FFN 1024, vocab 8000, batch 64 x 32, deepnorm, "
                "dropout 0.1, label smoothing 0.1, AdamW (%s)\n",
                bf16 ? (ops::bf16_gemm_uses_amx() ? "bfloat16 GEMMs on AMX" : "bfloat16 GEMMs")
                     : "float32");
    std::printf("parameters: %lld\n", (long long)model.spec().layout.count());
    std::printf("steps: %lld after %lld warm-up, last loss %.4f\n", (long long)steps,
                (long long)warmup, last.loss.loss / double(last.loss.tokens));
    std::printf("step (forward+backward+update): median %.1f ms, min %.1f ms, mean %.1f ms\n",
                med * 1e3, *std::min_element(times.begin(), times.end()) * 1e3, mean * 1e3);
    std::printf("target tokens/s: %.0f\n", double(batch.target_tokens) / med);
    std::printf("peak RSS: %.0f MiB\n", peak_rss_mib());
    return 0;
}
