// The training memory plan (see memory_estimate.h). Every count below names the buffer it
// stands for; elements are float32 (Transformer<float>), 4 bytes each.
#include "src/model/memory_estimate.h"

#include <algorithm>
#include <cstdio>
#include <initializer_list>

#include "src/core/error.h"
#include "src/model/transformer.h"

namespace deepnet {
namespace {

constexpr int64_t kFloat = 4, kIndex = 8;
constexpr const char* kOverflow = "the memory plan overflows 64 bits: the batch or the model is far too large";

int64_t checked_sum(std::initializer_list<int64_t> terms) {
    int64_t r = 0;
    for (int64_t t : terms) DEEPNET_USER_CHECK(!__builtin_add_overflow(r, t, &r), kOverflow);
    return r;
}

// Element counts of one batch shape, overflow-checked (a hostile config may ask for anything).
struct Counts {
    const ModelConfig& m;
    const TrainingMemorySetting& s;
    int64_t B, S, T, Ns, Nt, M;  // M: the larger of the two stacks' rows

    static int64_t mul(int64_t a, int64_t b) {
        int64_t r = 0;
        DEEPNET_USER_CHECK(!__builtin_mul_overflow(a, b, &r), kOverflow);
        return r;
    }
    static int64_t add(std::initializer_list<int64_t> terms) { return checked_sum(terms); }
    bool pre() const { return m.norm == NormScheme::Pre || m.norm == NormScheme::SubLN; }
    bool subln() const { return m.norm == NormScheme::SubLN; }
    bool gelu() const { return m.activation == Activation::GELU; }

    // ResidualSaved: g (N, C), mean and rstd (N), and LN(x) (N, C) before a pre-norm branch.
    int64_t residual(int64_t N) const { return add({mul(mul(N, m.dim_emb), pre() ? 2 : 1), mul(2, N)}); }
    // The attention op's saved tensor: probabilities on the CPU, log-sum-exp on a GPU.
    int64_t saved(int64_t Tq, int64_t Tk) const {
        const int64_t bht = mul(mul(B, m.heads), Tq);
        return s.device == DeviceKind::CPU ? mul(bht, Tk) : bht;
    }
    // AttentionSaved: q and ctx (Nq, C), k and v (Nk, C), the saved tensor, and with an inner
    // LayerNorm (Sub-LN's self-attention; never the cross-attention) ctx_ln, mean, rstd.
    int64_t attention(int64_t Nq, int64_t Nk, int64_t Tq, int64_t Tk, bool inner_ln) const {
        const int64_t C = m.dim_emb;
        return add({mul(2, mul(Nq, C)), mul(2, mul(Nk, C)), saved(Tq, Tk),
                    inner_ln ? add({mul(Nq, C), mul(2, Nq)}) : 0});
    }
    // FfnSaved: h (N, F), GELU's pre-activation a, Sub-LN's hn.
    int64_t ffn(int64_t N) const {
        const int64_t NF = mul(N, m.dim_ffn);
        return add({NF, gelu() ? NF : 0, subln() ? add({NF, mul(2, N)}) : 0});
    }
    int64_t encoder_layer() const {  // EncoderLayerSaved, x1 included
        return add({mul(2, residual(Ns)), attention(Ns, Ns, S, S, subln()), ffn(Ns), mul(Ns, m.dim_emb)});
    }
    int64_t decoder_layer() const {  // DecoderLayerSaved, x1 and x2 included
        return add({mul(3, residual(Nt)), attention(Nt, Nt, T, T, subln()), attention(Nt, Ns, T, S, false), ffn(Nt),
                    mul(2, mul(Nt, m.dim_emb))});
    }
    // Every layer's input and the top of each stack; a pre-norm stack's closing LayerNorm.
    int64_t layer_inputs() const {
        const int64_t C = m.dim_emb, N = add({Ns, Nt});
        return add({mul(m.enc_depth + 1, mul(Ns, C)), mul(m.dec_depth + 1, mul(Nt, C)),
                    pre() ? add({mul(N, C), mul(2, N)}) : 0});
    }
    // The sinusoid table grows to the longest stack, doubling (PositionTable::get).
    int64_t positions() const {
        const int64_t rows = T > S ? std::max(T, mul(2, S)) : S;
        return mul(rows, m.dim_emb);
    }
    // LayerScratch (shared by both stacks, so sized by the larger) and the transformer's
    // gradient buffers grad_a (Nt, C), grad_b (M, C), d_enc (Ns, C).
    int64_t backward_scratch() const {
        const int64_t C = m.dim_emb, MC = mul(M, C), MF = mul(M, m.dim_ffn);
        const int64_t attention = add({mul(4, MC), subln() ? MC : 0});  // dq, dk, dv, dctx [, dctx_ln]
        const int64_t ffn = add({MF, subln() ? MF : 0});                 // dh [, dhn]
        const int64_t layer = add({MC, mul(Nt, C), mul(2, MC)});         // dx1, dx2 (decoder), dg, d_in
        return add({attention, ffn, layer, mul(Nt, C), MC, mul(Ns, C)});
    }
    // Logits (Nt, V) (the backward writes their gradient in place) and three per-row floats.
    int64_t output_layer() const { return add({mul(Nt, m.vocab_size), mul(3, Nt)}); }
    // 16-bit copies of the largest GEMM's operands (a GPU's staging buffer): the output
    // projection's backward or the FFN's.
    int64_t staging_bytes() const {
        if (s.device == DeviceKind::CPU || s.gemm == DType::F32) return 0;
        const auto half = [](int64_t n) { return add({mul(n, 2), 63}) / 64 * 64; };
        const int64_t C = m.dim_emb, V = m.vocab_size, F = m.dim_ffn;
        const int64_t out = add({half(mul(Nt, V)), half(mul(Nt, C)), half(mul(V, C))});
        const int64_t ffn = add({half(mul(M, F)), half(mul(M, C)), half(mul(F, C))});
        return std::max(out, ffn);
    }
};

std::string times(int64_t bytes, int64_t n, const char* what) {
    return format_bytes(bytes) + " x " + std::to_string(n) + " " + what;
}

}  // namespace

int64_t TrainingMemoryPlan::state_bytes() const {
    int64_t n = 0;
    for (const MemoryPart& p : state) n = checked_sum({n, p.bytes});
    return n;
}

int64_t TrainingMemoryPlan::batch_bytes() const {
    int64_t n = 0;
    for (const MemoryPart& p : batch) n = checked_sum({n, p.bytes});
    return n;
}

int64_t TrainingMemoryPlan::total() const { return checked_sum({state_bytes(), batch_bytes()}); }

namespace {
TrainingMemoryPlan plan_with(const ModelConfig& cfg, const TrainingMemorySetting& setting, const BatchShape& shape,
                             int64_t P) {
    DEEPNET_CHECK(shape.B >= 0 && shape.S >= 0 && shape.T >= 0, "memory plan: a negative batch shape");
    DEEPNET_CHECK(setting.moment_shards >= 1, "memory plan: moment_shards " << setting.moment_shards);
    const Counts c{cfg, setting, shape.B, shape.S, shape.T, Counts::mul(shape.B, shape.S),
                   Counts::mul(shape.B, shape.T), Counts::mul(shape.B, std::max(shape.S, shape.T))};
    TrainingMemoryPlan plan;
    const int64_t weights = Counts::mul(P, kFloat);
    const int64_t moments = checked_sum({Counts::mul(2, weights), setting.moment_shards - 1}) / setting.moment_shards;
    plan.state = {
        {"parameters", weights, std::to_string(P) + " x float32"},
        {"gradients", weights, "float32, one flat buffer (one all-reduce)"},
        {"optimizer moments", moments, setting.moment_shards > 1
             ? "Adam m and v, 1/" + std::to_string(setting.moment_shards) + " of them on each rank"
             : "Adam m and v, float32"},
        {"master weights", 0, "none: the float32 parameters are the master copy"},
        {"weight average", setting.weight_average ? weights : 0,
         setting.weight_average ? "exponential-smoothing's float32 copy" : "exponential-smoothing off"},
    };
    const int64_t enc = Counts::mul(c.encoder_layer(), kFloat), dec = Counts::mul(c.decoder_layer(), kFloat);
    plan.encoder_layer_bytes = enc;
    plan.decoder_layer_bytes = dec;
    const int64_t inputs = Counts::mul(c.layer_inputs(), kFloat);
    if (cfg.recompute) {
        const int64_t out = Counts::mul(Counts::mul(c.M, cfg.dim_emb), kFloat);
        plan.batch.push_back({"activations kept", inputs, "one input per layer: " +
                              times(inputs / (cfg.enc_depth + cfg.dec_depth + 2), cfg.enc_depth + cfg.dec_depth + 2,
                                    "layer inputs (about)")});
        plan.batch.push_back({"recomputed in backward", checked_sum({enc, dec, out}),
                              "one encoder layer " + format_bytes(enc) + ", one decoder layer " + format_bytes(dec) +
                                  ", its output " + format_bytes(out)});
    } else {
        const int64_t kept = checked_sum({Counts::mul(enc, cfg.enc_depth), Counts::mul(dec, cfg.dec_depth), inputs});
        plan.batch.push_back({"activations kept", kept,
                              "encoder " + times(enc, cfg.enc_depth, "layers") + ", decoder " +
                                  times(dec, cfg.dec_depth, "layers") + ", layer inputs " + format_bytes(inputs)});
        plan.batch.push_back({"recomputed in backward", 0, "recompute off"});
    }
    plan.batch.push_back({"output layer", Counts::mul(c.output_layer(), kFloat),
                          "logits (B*T, V), their gradient in place"});
    plan.batch.push_back({"backward scratch", Counts::mul(c.backward_scratch(), kFloat),
                          "activation gradients of one layer and of each stack's top"});
    plan.batch.push_back({"position tables", Counts::mul(c.positions(), kFloat), "sinusoids, the longest stack"});
    if (setting.device == DeviceKind::CPU) {
        plan.batch.push_back({"workspace", 0, "none on the CPU (BLAS scratch is its own)"});
    } else {
        const int64_t indices =
            Counts::mul(checked_sum({Counts::mul(2, c.Ns), Counts::mul(3, c.Nt), Counts::mul(2, shape.B)}), kIndex);
        plan.batch.push_back({"workspace", checked_sum({setting.gpu_workspace, c.staging_bytes(), indices}),
                              "cuBLASLt and kernel scratch " + format_bytes(setting.gpu_workspace) +
                                  ", 16-bit GEMM operands " + format_bytes(c.staging_bytes()) +
                                  ", batch indices " + format_bytes(indices)});
    }
    return plan;
}
}  // namespace

TrainingMemoryPlan plan_training_memory(const ModelConfig& cfg, const TrainingMemorySetting& setting,
                                        const BatchShape& shape) {
    return plan_with(cfg, setting, shape, declare_model(cfg).layout.total());
}

int64_t largest_batch(const ModelConfig& cfg, const TrainingMemorySetting& setting, int64_t S, int64_t T,
                      int64_t budget) {
    const int64_t P = declare_model(cfg).layout.total();  // once: the search plans dozens of batches
    const auto fits = [&](int64_t B) {
        try {
            return plan_with(cfg, setting, {B, S, T}, P).batch_bytes() <= budget;
        } catch (const UserError&) {  // beyond 64 bits: certainly not
            return false;
        }
    };
    if (!fits(1)) return 0;
    int64_t lo = 1, hi = 2;  // fits(lo), and hi is the first power of two that does not (or the cap)
    constexpr int64_t kCap = int64_t(1) << 24;
    while (hi < kCap && fits(hi)) lo = hi, hi *= 2;
    if (hi >= kCap && fits(kCap)) return kCap;
    while (hi - lo > 1) {
        const int64_t mid = lo + (hi - lo) / 2;
        (fits(mid) ? lo : hi) = mid;
    }
    return lo;
}

std::string format_bytes(int64_t bytes) {
    char buf[64];
    const double b = double(bytes);
    if (bytes >= (int64_t(1) << 30)) std::snprintf(buf, sizeof buf, "%.2f GiB", b / double(int64_t(1) << 30));
    else if (bytes >= (int64_t(1) << 20)) std::snprintf(buf, sizeof buf, "%.1f MiB", b / double(1 << 20));
    else if (bytes >= 1024) std::snprintf(buf, sizeof buf, "%.1f KiB", b / 1024.0);
    else std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(bytes));
    return buf;
}

}  // namespace deepnet
