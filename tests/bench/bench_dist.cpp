// Data-parallel cost. Two parts:
//  1. Measured, on CPU ranks (run under mpirun): per update, the forward+backward of one
//     micro-batch per rank (the benchmark shape of bench_model: 6+6 layers, d=256, FFN 1024,
//     vocab 8000, 64 x 32 tokens), the wait for the slower rank, the gradient all-reduce (or
//     ZeRO-1 reduce-scatter + all-gather with --sharded) and the AdamW step; the
//     communication share of the update and the all-reduce bus bandwidth of this machine.
//  2. --model: the scaling model for 8 to 512 GPUs of the Transformer-big-shaped DeepNorm
//     model (docs/distributed.md): per-update compute time from --compute-ms (a measured GPU
//     figure) or, by default, from FLOPs / (MFU x peak); ring all-reduce time
//     2 (n-1)/n x gradient bytes / bus bandwidth + 2 (n-1) x hop latency.
// Usage: mpirun -np 2 build/bench/bench_dist [--updates N] [--threads T] [--sharded]
//        build/bench/bench_dist --model [--compute-ms X] [--tokens-per-gpu N] [--mfu F]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench_common.h"
#include "src/core/blas_setup.h"
#include "src/dist/data_parallel.h"
#include "src/model/transformer.h"
#include "src/train/optimizer.h"

using namespace deepnet;

namespace {

struct Args {
    int updates = 5, threads = 1;
    bool sharded = false, model = false;
    double compute_ms = 0, tokens_per_gpu = 10240, mfu = 0.35;
};

Args parse(int argc, char** argv) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        const std::string s = argv[i];
        auto next = [&] { return i + 1 < argc ? std::atof(argv[++i]) : 0.0; };
        if (s == "--updates")
            a.updates = int(next());
        else if (s == "--threads")
            a.threads = int(next());
        else if (s == "--sharded")
            a.sharded = true;
        else if (s == "--model")
            a.model = true;
        else if (s == "--compute-ms")
            a.compute_ms = next();
        else if (s == "--tokens-per-gpu")
            a.tokens_per_gpu = next();
        else if (s == "--mfu")
            a.mfu = next();
    }
    return a;
}

// Part 1: measured on this machine's ranks.
int measure(const Args& args) {
    set_cpu_threads(args.threads);
    dist::DataParallel dp(DistConfig{args.sharded, 0});
    dist::Communicator& comm = dp.comm();
    const int W = dp.world(), r = dp.rank();
    ModelConfig cfg = bench::benchmark_config();
    Transformer<float> model(cfg);
    model.init_parameters();
    const int64_t B = bench::kBenchSentences, L = bench::kBenchLength, n = model.spec().layout.total();
    std::vector<std::vector<int64_t>> src(static_cast<size_t>(B)), tgt(static_cast<size_t>(B));
    for (int64_t b = 0; b < B; ++b)
        for (int64_t t = 0; t < L - 1; ++t) {
            src[size_t(b)].push_back(4 + (b * 31 + t * 7 + r * 101) % (cfg.vocab_size - 4));
            tgt[size_t(b)].push_back(4 + (b * 17 + t * 13 + r * 53) % (cfg.vocab_size - 4));
        }
    const Batch batch = make_batch(src, tgt, cfg);
    AdamW<float> opt(AdamConfig{});
    std::vector<float> m, v;
    dp.init_sharding(m, v, n, AdamConfig{});
    int64_t steps = 0;
    // [compute, wait, communication, optimizer] per update, summed over the timed updates.
    double sum[4] = {0, 0, 0, 0};
    for (int u = -1; u < args.updates; ++u) {  // u = -1: warm-up
        double t[5];
        t[0] = bench::now_seconds();
        model.params().zero_grad();
        const StepRng rng{cfg.seed, uint64_t(u + 1) * uint64_t(W) + uint64_t(r), true};
        const LossStats st = model.forward(batch, rng);
        model.backward(batch, rng, 1.0);
        t[1] = bench::now_seconds();
        comm.barrier(false);  // the slower rank's lead, kept out of the communication time
        t[2] = bench::now_seconds();
        double scale = 1.0 / double(st.tokens * W);
        if (dp.sharded()) {
            dp.sharded_step(model.params().value, model.params().grad, 1e-4, scale, steps);
            t[3] = t[4] = bench::now_seconds();  // one call: shard update counted as communication
        } else {
            comm.all_reduce_sum(model.params().grad.data(), n);
            t[3] = bench::now_seconds();
            opt.step(model.params(), 1e-4, scale);
            t[4] = bench::now_seconds();
        }
        if (u >= 0)
            for (int k = 0; k < 4; ++k)
                sum[k] += t[k + 1] - t[k];
    }
    comm.all_reduce_max(sum, 4);  // the slowest rank's figures
    const double per[4] = {sum[0] / args.updates, sum[1] / args.updates, sum[2] / args.updates, sum[3] / args.updates};
    const double total = per[0] + per[1] + per[2] + per[3];
    if (r != 0) return 0;
    const double bytes = 4.0 * double(n);
    std::printf("ranks: %d (%s), %d thread(s) each; BLAS core %s\n", W, comm.backend().c_str(), args.threads,
                blas_core_name().c_str());
    std::printf("model: 6+6 layers, d=256, FFN 1024, vocab 8000, deepnorm; %.2fM parameters, gradient %.1f MB (fp32)\n",
                double(model.spec().layout.count()) / 1e6, bytes / 1e6);
    std::printf("micro-batch per rank: %lld x %lld tokens; %d timed updates (max over ranks)\n", (long long)B,
                (long long)L, args.updates);
    std::printf("  forward+backward   %8.1f ms\n", 1e3 * per[0]);
    std::printf("  wait for the other %8.1f ms\n", 1e3 * per[1]);
    std::printf("  %-18s %8.1f ms  (%.1f %% of the update)\n",
                dp.sharded() ? "ZeRO-1 step+comm" : "gradient all-reduce", 1e3 * per[2], 100.0 * per[2] / total);
    if (!dp.sharded()) std::printf("  AdamW step         %8.1f ms\n", 1e3 * per[3]);
    std::printf("  update             %8.1f ms; %.0f target tokens/s over %d ranks\n", 1e3 * total,
                double(batch.target_tokens) * W / total, W);
    if (W > 1 && !dp.sharded()) {
        const double algbw = bytes / per[2], busbw = algbw * 2.0 * (W - 1) / W;
        std::printf("  all-reduce: algbw %.2f GB/s, busbw %.2f GB/s\n", algbw / 1e9, busbw / 1e9);
    }
    return 0;
}

// Part 2: the GPU scaling model.
struct Fabric {
    const char* name;
    double busbw_intra, busbw_inter;  // GB/s: within one 8-GPU node, across nodes
};

int scaling_model(const Args& a) {
    ModelConfig big = bench::benchmark_config();  // DeepNorm Transformer-big shape, 6+6
    big.dim_emb = 1024;
    big.heads = 16;
    big.dim_ffn = 4096;
    big.vocab_size = 33708;  // the shared WMT En-De vocabulary of the DLE Transformer-big
    big.tied_embeddings_all = true;
    const ModelSpec spec = declare_model(big);
    const double P = double(spec.layout.count()), grad_bytes = 4.0 * double(spec.layout.total());
    // Weights touched per target token: all but the two embedding lookups; the tied output
    // projection counts as a matmul (the anchor's 210.7M -> 1.26 GFLOP per token).
    const double flop_per_token = 6.0 * P;
    const double peak = 989e12;  // H100 SXM dense bf16
    const double compute_s = a.compute_ms > 0 ? a.compute_ms / 1e3 : a.tokens_per_gpu * flop_per_token / (a.mfu * peak);
    const double hop_latency = 5e-6;  // assumed per ring step (NVLink / IB hop plus protocol), seconds
    const double backward_share = 2.0 / 3.0;
    std::printf(
        "Transformer-big-shaped DeepNorm model: 6+6 layers, d=1024, 16 heads, FFN 4096, vocab 33708 "
        "(all embeddings tied): %.1fM parameters, fp32 gradient %.0f MB, %.2f GFLOP per target token\n",
        P / 1e6, grad_bytes / 1e6, flop_per_token / 1e9);
    if (a.compute_ms > 0)
        std::printf("compute per update per GPU: %.1f ms (measured, --compute-ms)\n", 1e3 * compute_s);
    else
        std::printf(
            "compute per update per GPU: %.1f ms = %.0f tokens x %.2f GFLOP / (%.0f %% MFU x 989 TFLOP/s); "
            "no GPU measurement yet\n",
            1e3 * compute_s, a.tokens_per_gpu, flop_per_token / 1e9, 100 * a.mfu);
    std::printf("all-reduce: 2(n-1)/n x %.0f MB / busbw + 2(n-1) x %.0f us; efficiency = compute / update time\n",
                grad_bytes / 1e6, hop_latency * 1e6);
    const Fabric fabrics[] = {
        {"8x NDR per node (rail)", 370, 370},
        {"RoCE as measured", 370, 216},
        {"1 NDR NIC per node", 370, 46},
    };
    for (const Fabric& f : fabrics) {
        std::printf("\n%s: busbw %.0f GB/s in a node, %.0f GB/s across nodes\n", f.name, f.busbw_intra, f.busbw_inter);
        std::printf("| GPUs | all-reduce ms | efficiency, no overlap | efficiency, overlapped with backward |\n");
        std::printf("|---|---|---|---|\n");
        for (int gpus : {8, 16, 32, 64, 128, 256, 512}) {
            const double bw = (gpus <= 8 ? f.busbw_intra : f.busbw_inter) * 1e9;
            const double ar = 2.0 * (gpus - 1) / gpus * grad_bytes / bw + 2.0 * (gpus - 1) * hop_latency;
            const double plain = compute_s / (compute_s + ar);
            const double hidden = compute_s / (compute_s + std::max(0.0, ar - backward_share * compute_s));
            std::printf("| %d | %.1f | %.1f %% | %.1f %% |\n", gpus, 1e3 * ar, 100 * plain, 100 * hidden);
        }
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    ensure_fast_blas(argv);
    const Args a = parse(argc, argv);
    return a.model ? scaling_model(a) : measure(a);
}
