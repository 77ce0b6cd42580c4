#!/usr/bin/env python3
"""Per-depth summary of a training run's per-layer diagnostics (--log-update-norms):
for the chosen updates, the median gradient norm and relative update ||dW|| / ||W|| over
each quarter of the encoder's and the decoder's layers (docs/research.md, "1,000 layers").
Standard library only.

  update-norms-by-depth.py MODEL.train.jsonl [--updates 1 100 500] [--parts 4]
"""
import argparse
import json
import statistics


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("--updates", type=int, nargs="+", default=[1, 100, 500])
    ap.add_argument("--parts", type=int, default=4)
    a = ap.parse_args()
    records = {}
    with open(a.log) as f:
        for line in f:
            r = json.loads(line)
            if r.get("type") == "update_norms":
                records[r["updates"]] = r
    if not records:
        raise SystemExit(f"{a.log}: no update_norms records (train with --log-update-norms N)")
    for u in a.updates:
        if u not in records:
            print(f"update {u}: not logged")
            continue
        groups = {}
        for g in records[u]["groups"]:  # names like encoder.12.ffn, decoder.3.self_attn
            stack, _, rest = g["name"].partition(".")
            layer = rest.split(".")[0]
            if stack in ("encoder", "decoder") and layer.isdigit():
                groups.setdefault(stack, []).append((int(layer), g["grad_norm"], g["rel_update"]))
        cells = []
        for stack in ("encoder", "decoder"):
            rows = groups.get(stack, [])
            if not rows:
                continue
            depth = max(r[0] for r in rows) + 1
            size = -(-depth // a.parts)
            for p in range(a.parts):
                part = [r for r in rows if p * size <= r[0] < (p + 1) * size]
                if part:
                    grad = statistics.median(r[1] for r in part)
                    upd = statistics.median(r[2] for r in part)
                    last = min((p + 1) * size, depth) - 1
                    cells.append(f"{stack} {p * size}-{last}: grad {grad:.0e} upd {upd:.0e}")
        print(f"update {u}, model update {records[u]['model_update']:.3g}: " + " | ".join(cells))


if __name__ == "__main__":
    main()
