#!/usr/bin/env python3
"""PyTorch beside bench_attention_cuda: torch.nn.functional.scaled_dot_product_attention on
the same shapes (16384 tokens per batch, model width 1024, H = 1024 / D heads, Tq = Tk = T,
no dropout, no padding), forward alone and backward alone (autograd.grad over the same
forward graph, retained), same FLOP count (forward 4 B H T^2 D, backward 2.5x, causal
half), CUDA events, median, and the same columns, so that scripts/gpu-check.sh can join
the two tables on (op, type, D, T, mask). Float runs with TF32 off (our float kernels do
fp32 arithmetic); PyTorch picks its own SDPA backend (flash for bf16; for float32 the
memory-efficient or math kernel), which is printed.

Usage: bench_attention_torch.py [--smoke] [--repeats N]
"""
import argparse
import sys

import torch
import torch.nn.functional as F


def median_ms(fn, repeats):
    for _ in range(3):
        fn()
    ts = []
    for _ in range(repeats):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record()
        fn()
        b.record()
        b.synchronize()
        ts.append(a.elapsed_time(b))
    return sorted(ts)[len(ts) // 2]


def backend_name(q, k, v, causal):
    """The SDPA backend PyTorch would pick (the first of these that accepts the inputs)."""
    from torch.nn.attention import SDPBackend, sdpa_kernel
    for be in (SDPBackend.CUDNN_ATTENTION, SDPBackend.FLASH_ATTENTION, SDPBackend.EFFICIENT_ATTENTION,
               SDPBackend.MATH):
        try:
            with sdpa_kernel(be):
                F.scaled_dot_product_attention(q[:1], k[:1], v[:1], is_causal=causal)
            return be.name.lower()
        except RuntimeError:
            continue
    return "?"


def bench(tokens, D, T, causal, dtype, repeats):
    H, B = 1024 // D, max(1, tokens // T)
    # (B, T, H, D) storage viewed as (B, H, T, D): the head-slice layout of our kernels.
    mk = lambda: (torch.rand(B, T, H, D, device="cuda") * 1.8 - 0.9).to(dtype).transpose(1, 2)
    q, k, v = (mk().requires_grad_() for _ in range(3))
    dout = mk()
    fwd = lambda: F.scaled_dot_product_attention(q, k, v, is_causal=causal)
    with torch.no_grad():
        fwd_ms = median_ms(fwd, repeats)
    out = fwd()
    bwd = lambda: torch.autograd.grad(out, (q, k, v), dout, retain_graph=True)
    grads = bwd()
    if not all(torch.isfinite(g).all() for g in grads):
        raise RuntimeError("non-finite gradient")
    bwd_ms = median_ms(bwd, repeats)
    flops = 4.0 * B * H * T * T * D * (0.5 if causal else 1.0)
    name = "bf16" if dtype == torch.bfloat16 else "float"
    mask = "causal" if causal else "full"
    for op, ms, f in (("fwd", fwd_ms, flops), ("bwd", bwd_ms, 2.5 * flops)):
        print(f"{op:4} {name:6} {D:4} {T:4} {B:5} {H:3} {mask:6} {ms * 1e3:10.1f} {f / (ms * 1e-3) / 1e12:9.2f}"
              f"  {backend_name(q, k, v, causal)}", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--repeats", type=int, default=20)
    a = ap.parse_args()
    if not torch.cuda.is_available():
        print("no CUDA device: skipped")
        return 77
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    tokens, repeats = (64, 3) if a.smoke else (16384, max(3, a.repeats))
    lengths = (32,) if a.smoke else (32, 64, 128, 256, 512)
    print(f"device: {torch.cuda.get_device_name()}, torch {torch.__version__}; {tokens} tokens per batch, "
          f"model width 1024, median of {repeats}")
    print(f"{'op':4} {'type':6} {'D':>4} {'T':>4} {'B':>5} {'H':>3} {'mask':6} {'time_us':>10} {'TFLOP/s':>9}  backend")
    for D in (64, 128):
        for T in lengths:
            for causal in (False, True):
                for dtype in (torch.bfloat16, torch.float32):
                    bench(tokens, D, T, causal, dtype, repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
