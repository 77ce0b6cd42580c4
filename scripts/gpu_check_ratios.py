#!/usr/bin/env python3
"""The benchmark part of scripts/gpu-check.sh's summary: reads the per-benchmark logs in DIR
and prints our figures beside PyTorch's with the ratio (ours / PyTorch; above 1 = we are
faster). A benchmark that did not run, or printed no figures, is named, never filled in.

  gpu_check_ratios.py DIR
"""
import os
import re
import sys


def read(d, name):
    p = os.path.join(d, name + ".txt")
    return open(p).read() if os.path.exists(p) else None


def attention_rows(text):
    """(op, type, D, T, mask) -> TFLOP/s, from the column format both attention benches print."""
    rows = {}
    for m in re.finditer(r"^(fwd|bwd)\s+(bf16|float)\s+(\d+)\s+(\d+)\s+\d+\s+\d+\s+(full|causal)\s+[\d.]+\s+([\d.]+|inf|nan)",
                         text or "", re.M):
        rows[m.group(1, 2, 3, 4, 5)] = float(m.group(6))
    return rows


def result(text):
    """(target tokens/s, TFLOP/s, MFU %, parameters) from a whole-step benchmark's output."""
    m = re.search(r"^RESULT .*?tokens/s (\d+), TFLOP/s ([\d.]+), MFU ([\d.]+)%", text or "", re.M)
    p = re.search(r"^parameters: (\d+)", text or "", re.M)
    return (float(m.group(1)), float(m.group(2)), float(m.group(3)), p and int(p.group(1))) if m else None


def tail(text, n):
    return "\n".join((text or "").rstrip().splitlines()[-n:])


def main(d):
    print("-- residual + LayerNorm (GB/s)")
    for name in ("bench_layernorm_cuda", "bench_layernorm_torch"):
        t = read(d, name)
        print(f"{name}: not run" if t is None else f"{name}:\n{tail(t, 9)}")

    print("-- attention, TFLOP/s (ours / PyTorch SDPA)")
    ours, torch = attention_rows(read(d, "bench_attention_cuda")), attention_rows(read(d, "bench_attention_torch"))
    if not ours:
        t = read(d, "bench_attention_cuda")
        print("bench_attention_cuda: " + ("not run" if t is None else "no figures:\n" + tail(t, 4)))
    else:
        print(f"{'op':4} {'type':6} {'D':>4} {'T':>4} {'mask':6} {'ours':>8} {'torch':>8} {'ratio':>6}")
        for k, v in ours.items():
            t = torch.get(k)
            print(f"{k[0]:4} {k[1]:6} {k[2]:>4} {k[3]:>4} {k[4]:6} {v:8.2f} "
                  + (f"{t:8.2f} {v / t:6.2f}" if t else f"{'-':>8} {'-':>6}"))
        if not torch:
            t = read(d, "bench_attention_torch")
            print("bench_attention_torch: " + ("not run" if t is None else "no figures:\n" + tail(t, 4)))

    print("-- whole training step, Transformer-big shape (target tokens/s)")
    # Ours in fp32 against torch fp32; ours with bf16 GEMMs against torch bf16 autocast.
    for ours_name, prec in (("bench_train_cuda", "fp32"), ("bench_train_cuda_bf16", "bf16")):
        ours = result(read(d, ours_name))
        if ours is None:
            t = read(d, ours_name)
            print(f"{ours_name}: " + ("not run" if t is None else "no figures:\n" + tail(t, 4)))
            continue
        print(f"ours {prec}:  {ours[0]:9.0f} tokens/s, {ours[1]:7.2f} TFLOP/s, MFU {ours[2]:.2f}% (of 989.5 bf16 dense)")
        name = "bench_train_torch_" + prec
        t = result(read(d, name))
        if t is None:
            print(f"{name}: " + ("not run" if read(d, name) is None else "no figures:\n" + tail(read(d, name), 4)))
            continue
        same = "" if t[3] == ours[3] else f"  PARAMETER COUNTS DIFFER: ours {ours[3]}, torch {t[3]}"
        print(f"torch {prec}: {t[0]:9.0f} tokens/s, {t[1]:7.2f} TFLOP/s, MFU {t[2]:.2f}%; "
              f"ours / torch {prec} = {ours[0] / t[0]:.3f}{same}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
