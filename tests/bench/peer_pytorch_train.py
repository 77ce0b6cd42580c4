#!/usr/bin/python3
"""PyTorch peer of build/bench/bench_train: one full training step (forward, label-smoothed
CE, backward, global gradient norm, Adam(W) update with the warm-up + inverse-sqrt
schedule) of the same model on the same batch, eager float32.

  peer_pytorch_train.py [--threads 2] [--steps 10] [--warmup 2]
      benchmark: 6+6 layers, d=256, 4 heads, FFN 1024, vocab 8000, deepnorm, dropout 0.1,
      label smoothing 0.1, 64 sentences x 32 tokens; prints target tokens/s (median step),
      step time, peak RSS and the parameter count (must equal DeepNet's).
  peer_pytorch_train.py --check DIR
      faithfulness: loads DIR/init.safetensors (written by `bench_train --check DIR`),
      trains on DIR/batch.tsv without dropout for as many updates as DIR/losses.tsv lists
      and compares loss, NLL and gradient norm per update, the first update's gradient per
      tensor, then the weights after them.
"""
import argparse
import os
import resource
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_pytorch_model as pm  # noqa: E402  (sets OPENBLAS_CORETYPE before torch loads)
import torch  # noqa: E402


def lr_at(t, learn_rate, warmup, decay):
    """src/train/lr_schedule.cpp; t counts updates from 1."""
    t = max(t, 1)
    lr = learn_rate
    if warmup > 0:
        lr *= min(1.0, t / warmup)
    if decay > 0:
        lr *= (decay / max(t, decay)) ** 0.5
    return lr


def make_batch(sources, targets):
    """src/model/batch.cpp: src = ids + </s>; tgt_in = <s> + ids; tgt_out = ids + </s>."""
    B = len(sources)
    S = max(len(s) for s in sources) + 1
    T = max(len(t) for t in targets) + 1
    src = torch.full((B, S), pm.PAD, dtype=torch.long)
    tin = torch.full((B, T), pm.PAD, dtype=torch.long)
    tout = torch.full((B, T), -1, dtype=torch.long)
    for b, (s, t) in enumerate(zip(sources, targets)):
        src[b, :len(s)] = torch.tensor(s)
        src[b, len(s)] = pm.EOS
        tin[b, 0] = pm.BOS
        tin[b, 1:len(t) + 1] = torch.tensor(t)
        tout[b, :len(t)] = torch.tensor(t)
        tout[b, len(t)] = pm.EOS
    return dict(src=src, src_len=torch.tensor([len(s) + 1 for s in sources]), tgt_in=tin,
                tgt_len=torch.tensor([len(t) + 1 for t in targets]), tgt_out=tout,
                tokens=sum(len(t) + 1 for t in targets))


def bench_batch(V, B=64, L=32):
    """tests/bench/bench_model.cpp's synthetic batch: B sentences of L tokens with </s>."""
    src = [[4 + (b * 31 + t * 7) % (V - 4) for t in range(L - 1)] for b in range(B)]
    tgt = [[4 + (b * 17 + t * 13) % (V - 4) for t in range(L - 1)] for b in range(B)]
    return make_batch(src, tgt)


class Trainer:
    def __init__(self, model, betas, eps, weight_decay, schedule, bf16=False):
        self.model, self.schedule, self.updates, self.bf16 = model, schedule, 0, bf16
        self.params = list(model.parameters())
        Opt = torch.optim.AdamW if weight_decay > 0 else torch.optim.Adam
        self.opt = Opt(self.params, lr=schedule(1), betas=betas, eps=eps, weight_decay=weight_decay)

    def step(self, b):
        """One update; returns (loss per token, grad norm) like DeepNet's trainer."""
        self.model.train()
        self.opt.zero_grad(set_to_none=True)
        # --bf16: PyTorch's CPU mixed precision (autocast: matmuls in bfloat16 on oneDNN,
        # float32 master weights and optimizer), the counterpart of DeepNet's
        # precision [bfloat16, float32].
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bf16):
            logits = self.model(b["src"], b["src_len"], b["tgt_in"], b["tgt_len"])
            loss = self.model.loss(logits, b["tgt_out"])
        (loss.float() / b["tokens"]).backward()
        gnorm = torch.nn.utils.clip_grad_norm_(self.params, float("inf"))  # ours logs it too
        self.updates += 1
        for g in self.opt.param_groups:
            g["lr"] = self.schedule(self.updates)
        self.opt.step()
        return loss.item() / b["tokens"], float(gnorm)


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def benchmark(args):
    cfg = pm.Config(enc_depth=6, dec_depth=6, dim_emb=256, heads=4, dim_ffn=1024, vocab_size=8000,
                    norm="deepnorm", dropout=0.1, label_smoothing=0.1)
    torch.manual_seed(1111)
    model = pm.Transformer(cfg)
    model.init_deepnet(1111)
    b = bench_batch(cfg.vocab_size)
    tr = Trainer(model, (0.9, 0.98), 1e-8, 0.0, lambda t: lr_at(t, 5e-4, 4000, 4000), args.bf16)
    for _ in range(args.warmup):
        tr.step(b)
    times = []
    for _ in range(args.steps):
        t0 = time.perf_counter()
        loss, _ = tr.step(b)
        times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    for line in pm.describe_runtime():
        print(line)
    print("model: 6+6 layers, d=256, 4 heads, FFN 1024, vocab 8000, batch 64 x 32, deepnorm, "
          "dropout 0.1, label smoothing 0.1, %s (eager, %s)" % (
              type(tr.opt).__name__, "autocast bfloat16" if args.bf16 else "float32"))
    print("parameters: %d" % model.param_count())
    print("steps: %d after %d warm-up, last loss %.4f" % (args.steps, args.warmup, loss))
    print("step (forward+backward+update): median %.1f ms, min %.1f ms, mean %.1f ms" % (
        med * 1e3, min(times) * 1e3, statistics.mean(times) * 1e3))
    print("target tokens/s: %.0f" % (b["tokens"] / med))
    print("peak RSS: %.0f MiB" % peak_rss_mib())


def read_batch(path):
    src, tgt = [], []
    with open(path) as f:
        for line in f:
            s, t = line.rstrip("\n").split("\t")
            src.append([int(x) for x in s.split()])
            tgt.append([int(x) for x in t.split()])
    return make_batch(src, tgt)


def compare_grads(model, path):
    """Per-tensor relative L2 difference of the first update's gradient (per target token);
    Adam is invariant to a per-tensor gradient scale, so the losses alone would miss one."""
    if not os.path.exists(path):
        return
    ours, _ = pm.load_safetensors(path)
    rows = []
    for n, p in model.named_tensors().items():
        g = p.grad if p.grad is not None else torch.zeros_like(p)
        ref = ours[n]
        rows.append((float((g - ref).norm() / max(float(ref.norm()), 1e-30)), n,
                     float(ref.norm()), float(g.norm())))
    # k_proj biases get a gradient that is 0 in exact arithmetic (softmax ignores a shift
    # shared by all keys): only rounding noise, so tensors below 1e-6 of the largest are skipped.
    top = max(r[2] for r in rows)
    kept = sorted((r for r in rows if r[2] > 1e-6 * top), reverse=True)
    print("first-update gradients, relative L2 difference per tensor (%d tensors, %d with |g| "
          "above 1e-6 of the largest): worst" % (len(rows), len(kept)))
    for r in kept[:4]:
        print("    %.2e  %s  (|g| DeepNet %.4e, twin %.4e)" % r)
    by_norm = sorted(rows, key=lambda r: -abs(r[2] ** 2 - r[3] ** 2))
    print("    largest contributions to the gradient-norm difference:")
    for r in by_norm[:4]:
        print("    %.2e  %s  (|g| DeepNet %.4e, twin %.4e)" % r)


def check(args):
    d = args.check
    tensors, meta = pm.load_safetensors(os.path.join(d, "init.safetensors"))
    cfg = pm.Config.from_yaml(meta["config"], vocab_size=tensors["encoder.embed_tokens.weight"].shape[0])
    y = cfg.train
    cfg.dropout = cfg.dropout_attention = cfg.dropout_ffn = 0.0  # dropout masks cannot match
    model = pm.Transformer(cfg)
    model.load_deepnet(tensors)
    n_ours = sum(t.numel() for t in tensors.values())
    print("parameters: twin %d, DeepNet %d (%d tensors): %s" % (
        model.param_count(), n_ours, len(tensors), "equal" if n_ours == model.param_count() else "DIFFER"))
    op = [float(x) for x in y.get("optimizer-params", [0.9, 0.98, 1e-8])]
    wd = op[3] if len(op) > 3 else 0.0
    sched = lambda t: lr_at(t, float(y["learn-rate"]), int(y["lr-warmup"]), int(y["lr-decay-inv-sqrt"]))
    tr = Trainer(model, (op[0], op[1]), op[2], wd, sched)
    b = read_batch(os.path.join(d, "batch.tsv"))
    ours = []
    with open(os.path.join(d, "losses.tsv")) as f:
        for line in f:
            if line.startswith("#"):
                continue
            u, loss, nll, gn = line.split()
            ours.append((int(u), float(loss), float(nll), float(gn)))
    print("batch: %d sentences, %d target tokens; %d updates, lr %s" % (
        b["src"].shape[0], b["tokens"], len(ours), [round(sched(u), 8) for u, *_ in ours]))
    print("update  loss(DeepNet)  loss(twin)   rel.diff   |  grad-norm(DeepNet)  grad-norm(twin)  rel.diff")
    worst = 0.0
    for u, loss, nll, gn in ours:
        with torch.no_grad():
            model.eval()
            logits = model(b["src"], b["src_len"], b["tgt_in"], b["tgt_len"])
            nll_t = torch.nn.functional.cross_entropy(
                logits.reshape(-1, cfg.vocab_size), b["tgt_out"].reshape(-1), ignore_index=-1,
                reduction="sum").item() / b["tokens"]
        lt, _ = tr.step(b)
        # In double: torch's float32 norm of the 17M gradient entries is off by ~3e-4 here.
        gt = sum(float((p.grad.double() ** 2).sum()) for p in tr.params) ** 0.5
        rl, rg = abs(lt - loss) / abs(loss), abs(gt - gn) / abs(gn)
        worst = max(worst, rl)
        print("%6d  %13.6f  %10.6f  %9.2e   |  %18.6f  %15.6f  %8.2e   (nll %.6f / %.6f)" % (
            u, loss, lt, rl, gn, gt, rg, nll, nll_t))
        if u == 1:
            compare_grads(model, os.path.join(d, "grad1.safetensors"))
    final = os.path.join(d, "final.safetensors")
    if os.path.exists(final):
        theirs, _ = pm.load_safetensors(final)
        num = den = 0.0
        worst_t, worst_name = 0.0, ""
        for n, p in model.named_tensors().items():
            diff = (p.detach() - theirs[n]).abs()
            num += float((diff ** 2).sum())
            den += float((theirs[n] ** 2).sum())
            if float(diff.max()) > worst_t:
                worst_t, worst_name = float(diff.max()), n
        print("weights after %d updates: relative L2 difference %.2e, max |diff| %.2e (%s)" % (
            len(ours), (num / den) ** 0.5, worst_t, worst_name))
    print("worst relative loss difference: %.2e -> %s" % (worst, "MATCH" if worst < 1e-4 else "MISMATCH"))
    return 0 if worst < 1e-4 else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--check", metavar="DIR")
    ap.add_argument("--bf16", action="store_true", help="autocast matmuls to bfloat16 (CPU AMP)")
    args = ap.parse_args()
    pm.setup_torch(args.threads)
    if args.check:
        return check(args)
    benchmark(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
