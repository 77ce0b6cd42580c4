#!/usr/bin/python3
"""PyTorch peer of `deepnet translate`: the same beam search (src/translate/beam_search.h,
Marian's algorithm: finished hypotheses leave the beam, normalize 0.6, max-length-factor 3,
incremental decoding with cached keys/values) on a DeepNet model file, eager float32, on
the CPU or (--device cuda) an NVIDIA GPU, the peer of `deepnet translate --devices 0`.

  peer_pytorch_translate.py -m MODEL -i FILE [-o OUT] [--beam-size 4] [--mini-batch 32]
                            [--maxi-batch 100] [--threads 2] [--device cpu|cuda] [--compare OURS]
Input: raw text (plain or .gz), tokenised with the SentencePiece model stored in MODEL's
metadata; batching as ours: chunks of mini-batch * maxi-batch lines, sorted by source
length (longest first, stable), cut into mini-batches. Prints sentences/s and target
tokens/s of the translation (model loading excluded, also printed), peak RSS, and with
--compare the fraction of lines identical to OURS (e.g. the output of deepnet translate).
With --device cuda the weights and every tensor of the search live on the GPU (per step one
copy to it and one back: the beam's bookkeeping stays on the host), the clock is read after
torch.cuda.synchronize(), and the peak device memory is printed too. The first batch pays
cuBLAS's start-up: there is no warm-up.
"""
import argparse
import gzip
import os
import resource
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_pytorch_model as pm  # noqa: E402  (sets OPENBLAS_CORETYPE before torch loads)
import torch  # noqa: E402


def read_lines(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [l.rstrip("\n") for l in f]


def length_sorted_batches(lengths, mini_batch):
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])  # stable
    return [order[i:i + mini_batch] for i in range(0, len(order), mini_batch)]


def synchronize(device):
    """Waits for the device's queued work (none on the CPU): before reading the clock."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def describe_device(device):
    if device.type != "cuda":
        return "device: cpu"
    p = torch.cuda.get_device_properties(device)
    return "device: %s (%s, %.0f GiB, compute capability %d.%d), CUDA %s, float32 matmul precision %s" % (
        device, p.name, p.total_memory / 2.0 ** 30, p.major, p.minor, torch.version.cuda,
        torch.get_float32_matmul_precision())


def translate(model, sp, lines, args):
    """Best translation (ids) per line; empty lines give [] without decoding."""
    dec = pm.IncrementalDecoder(model)
    out = [[] for _ in lines]
    chunk = args.mini_batch * args.maxi_batch
    for c0 in range(0, len(lines), chunk):
        idx = [i for i in range(c0, min(len(lines), c0 + chunk)) if lines[i]]
        sources = [sp.encode(lines[i])[:args.max_length] for i in idx]
        for batch in length_sorted_batches([len(s) for s in sources], args.mini_batch):
            nbest = pm.beam_search(dec, [sources[j] for j in batch], args.beam_size, args.normalize,
                                   args.max_length_factor)
            for j, hyps in zip(batch, nbest):
                out[idx[j]] = hyps[0][0]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-m", "--model", required=True)
    ap.add_argument("-i", "--input", required=True)
    ap.add_argument("-o", "--output")
    ap.add_argument("-b", "--beam-size", type=int, default=4)
    ap.add_argument("-n", "--normalize", type=float, default=0.6)
    ap.add_argument("--max-length-factor", type=float, default=3.0)
    ap.add_argument("--max-length", type=int, default=1000)
    ap.add_argument("--mini-batch", type=int, default=32)
    ap.add_argument("--maxi-batch", type=int, default=100)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                    help="where the model and the search run (cuda: the current GPU; default cpu)")
    ap.add_argument("--compare", metavar="OURS", help="translations to compare with, line by line")
    args = ap.parse_args()
    pm.setup_torch(args.threads)
    if args.device == "cuda" and not torch.cuda.is_available():
        sys.exit("--device cuda: PyTorch sees no CUDA device (torch %s, built with CUDA %s)" % (
            torch.__version__, torch.version.cuda))
    device = torch.device(args.device)
    if device.type == "cuda":
        device = torch.device("cuda", torch.cuda.current_device())

    t0 = time.perf_counter()
    model, meta, cfg = pm.load_model_file(args.model, device)
    sp = pm.sentencepiece_from_meta(meta)
    if meta.get("target_languages"):
        sys.exit("multilingual models (target-language tags) are not supported by this peer")
    synchronize(device)
    t_load = time.perf_counter() - t0
    lines = read_lines(args.input)
    synchronize(device)
    t1 = time.perf_counter()
    ids = translate(model, sp, lines, args)
    synchronize(device)
    secs = time.perf_counter() - t1
    texts = [sp.decode([i for i in x if i not in (pm.PAD, pm.BOS, pm.EOS)]) for x in ids]
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.writelines(t + "\n" for t in texts)
    tokens = sum(len(x) for x in ids)
    for line in pm.describe_runtime():
        print(line)
    print(describe_device(device))
    print("model: %d+%d layers, d=%d, %d heads, FFN %d, vocab %d, %s, %d parameters" % (
        cfg.enc_depth, cfg.dec_depth, cfg.dim_emb, cfg.heads, cfg.dim_ffn, cfg.vocab_size, cfg.norm,
        model.param_count()))
    print("beam %d, mini-batch %d: %d lines, %d target tokens in %.2f s (model load %.2f s)" % (
        args.beam_size, args.mini_batch, len(lines), tokens, secs, t_load))
    print("sentences/s: %.1f" % (len(lines) / secs))
    print("target tokens/s: %.0f" % (tokens / secs))
    print("peak RSS: %.0f MiB" % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0))
    if device.type == "cuda":
        print("peak device memory: %.0f MiB allocated, %.0f MiB reserved (PyTorch's caching allocator)" % (
            torch.cuda.max_memory_allocated(device) / 2.0 ** 20,
            torch.cuda.max_memory_reserved(device) / 2.0 ** 20))
    if args.compare:
        ours = read_lines(args.compare)
        same = sum(1 for a, b in zip(texts, ours) if a == b)
        print("agreement with %s: %d / %d lines identical (%.1f %%)%s" % (
            args.compare, same, len(texts), 100.0 * same / max(1, len(texts)),
            "" if len(ours) == len(texts) else " [line counts differ: %d vs %d]" % (len(ours), len(texts))))


if __name__ == "__main__":
    main()
