#!/usr/bin/env python3
"""PyTorch twin of bench_train_cuda on a GPU: the same Transformer-big-shaped DeepNorm model
(peer_pytorch_model.Transformer: 6+6 layers, d=1024, FFN 4096, 16 heads, vocabulary 32000,
untied, dropout 0.1, label smoothing 0.1), the same synthetic batch shape (16384 / L
sentences of L random tokens, no padding), one training step = forward, label-smoothed
cross-entropy, backward, global gradient norm, Adam update (fused=True; weight decay 0 as
ours, so Adam = AdamW). Attention through the fused F.scaled_dot_product_attention
(is_causal for the decoder's self-attention; no padding, so no other mask).

  --precision fp32   float32, TF32 off: the same arithmetic as our float32 GPU path (fair)
  --precision bf16   autocast bfloat16, float32 master weights: the target for our bf16 path

Prints the same lines as bench_train_cuda (RESULT line: tokens/s, TFLOP/s, MFU with the
same FLOP formula, bench_common.h's forward_matmul_flops x 3), the parameter count (must
equal ours) and peak memory. Exit 77 without a GPU.
"""
import argparse
import math
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_pytorch_model as pm  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

BF16_DENSE_PEAK = 989.5e12  # H100 SXM / H200, docs/performance-anchors (as bench_train_cuda)
CAUSAL = "causal"  # the decoder's self-attention mask, passed through pm.Layer as `mask`


def sdpa_core(self, q, k, v, mask, p_drop):
    """pm.Attention.core through the fused kernel; `mask` is None or CAUSAL."""
    ctx = F.scaled_dot_product_attention(q, k, v, dropout_p=p_drop if self.training else 0.0,
                                         is_causal=mask is CAUSAL)
    B, H, Tq, D = ctx.shape
    return self.out_proj(ctx.transpose(1, 2).reshape(B, Tq, H * D))


pm.Attention.core = sdpa_core


def forward(model, src, tgt_in):
    x = model.encoder.embed(src)
    for layer in model.encoder.layers:
        x = layer(x, None)
    enc = model.encoder.final(x)
    y = model.decoder.embed(tgt_in)
    for layer in model.decoder.layers:
        y = layer(y, CAUSAL, enc, None)
    return F.linear(model.decoder.final(y), model.out_weight())


def forward_matmul_flops(c, B, S, T):
    """tests/bench/bench_common.h forward_matmul_flops, term for term."""
    C, Fd, V = float(c.dim_emb), float(c.dim_ffn), float(c.vocab_size)
    Ns, Nt = float(B * S), float(B * T)
    enc = 4 * 2 * Ns * C * C + 2 * 2 * Ns * C * Fd + 2 * 2 * B * S * S * C
    dec_self = 4 * 2 * Nt * C * C + 2 * 2 * B * T * T * C
    dec_cross = 2 * 2 * Nt * C * C + 2 * 2 * Ns * C * C + 2 * 2 * B * T * S * C
    dec_ffn = 2 * 2 * Nt * C * Fd
    return c.enc_depth * enc + c.dec_depth * (dec_self + dec_cross + dec_ffn) + 2 * Nt * C * V


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--precision", choices=("fp32", "bf16"), default="fp32")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--tokens", type=int, default=16384)
    ap.add_argument("--len", type=int, default=64)
    ap.add_argument("--smoke", action="store_true", help="tiny sizes (as bench_train_cuda --smoke)")
    a = ap.parse_args()
    if not torch.cuda.is_available():
        print("no CUDA device: skipped")
        return 77
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    if a.smoke:
        cfg = pm.Config(enc_depth=1, dec_depth=1, dim_emb=64, heads=2, dim_ffn=96, vocab_size=100)
        a.steps, a.warmup, a.tokens, a.len = min(a.steps, 2), 1, 64, 16
    else:
        cfg = pm.Config(enc_depth=6, dec_depth=6, dim_emb=1024, heads=16, dim_ffn=4096, vocab_size=32000)
    cfg.dropout, cfg.label_smoothing = 0.1, 0.1
    dev = torch.device("cuda")
    torch.manual_seed(1111)
    model = pm.Transformer(cfg)
    model.init_deepnet(1111)
    model = model.to(dev).train()
    params = list(model.parameters())
    opt = torch.optim.Adam(params, lr=5e-4, betas=(0.9, 0.98), eps=1e-8, fused=True)
    B, L = max(1, a.tokens // a.len), a.len
    # L-1 random ids + </s> (source) / <s> + ids and ids + </s> (target), as make_batch.
    ids = lambda: torch.randint(4, cfg.vocab_size, (B, L - 1), device=dev)
    eos = torch.full((B, 1), pm.EOS, device=dev)
    src, tgt = torch.cat([ids(), eos], 1), ids()
    tgt_in, tgt_out = torch.cat([torch.full((B, 1), pm.BOS, device=dev), tgt], 1), torch.cat([tgt, eos], 1)
    tokens = B * L
    bf16 = a.precision == "bf16"

    def step():
        opt.zero_grad(set_to_none=True)
        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=bf16):
            logits = forward(model, src, tgt_in)
            loss = model.loss(logits, tgt_out)
        (loss.float() / tokens).backward()
        torch.nn.utils.clip_grad_norm_(params, float("inf"))  # the global norm, as ours computes
        opt.step()
        return loss

    for _ in range(a.warmup):
        step()
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    times = []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        loss = step()
        torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    loss = loss.item() / tokens
    if not math.isfinite(loss):
        raise SystemExit("the loss is not finite")
    med = statistics.median(times)
    flops = 3 * forward_matmul_flops(cfg, B, L, L)
    free, total = torch.cuda.mem_get_info()
    print(f"device: {torch.cuda.get_device_name()}, torch {torch.__version__}")
    print(f"model: {cfg.enc_depth}+{cfg.dec_depth} layers, d={cfg.dim_emb}, {cfg.heads} heads, FFN {cfg.dim_ffn}, "
          f"vocab {cfg.vocab_size}, deepnorm, dropout 0.1, label smoothing 0.1, fused Adam, fused SDPA, "
          + ("autocast bfloat16" if bf16 else "float32 (TF32 off)"))
    print(f"parameters: {model.param_count()}")
    print(f"batch: {B} sentences x {L} tokens (source and target), {tokens} target tokens")
    print(f"steps: {a.steps} after {a.warmup} warm-up, last loss {loss:.4f}")
    print(f"step: median {med * 1e3:.2f} ms, min {min(times) * 1e3:.2f} ms")
    print(f"model FLOPs per step: {flops:.4g} (3 x forward matmul FLOPs)")
    print(f"RESULT torch {a.precision}: target tokens/s {tokens / med:.0f}, TFLOP/s {flops / med / 1e12:.2f}, "
          f"MFU {100 * flops / med / BF16_DENSE_PEAK:.2f}% of bf16 dense 989.5")
    print(f"device memory in use: peak allocated {torch.cuda.max_memory_allocated() / 2**30:.2f} GiB, "
          f"reserved {torch.cuda.max_memory_reserved() / 2**30:.2f} GiB, "
          f"cudaMemGetInfo {(total - free) / 2**30:.2f} GiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
