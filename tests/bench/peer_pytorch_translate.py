#!/usr/bin/python3
"""PyTorch peer of `deepnet translate`: the same beam search (src/translate/beam_search.h,
Marian's algorithm: finished hypotheses leave the beam, normalize 0.6, max-length-factor 3,
incremental decoding with cached keys/values) on a DeepNet model file, eager float32.

  peer_pytorch_translate.py -m MODEL -i FILE [-o OUT] [--beam-size 4] [--mini-batch 32]
                            [--maxi-batch 100] [--threads 2] [--compare OURS]
Input: raw text (plain or .gz), tokenised with the SentencePiece model stored in MODEL's
metadata; batching as ours: chunks of mini-batch * maxi-batch lines, sorted by source
length (longest first, stable), cut into mini-batches. Prints sentences/s and target
tokens/s of the translation (model loading excluded, also printed), peak RSS, and with
--compare the fraction of lines identical to OURS (e.g. the output of deepnet translate).
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
    ap.add_argument("--compare", metavar="OURS", help="translations to compare with, line by line")
    args = ap.parse_args()
    pm.setup_torch(args.threads)

    t0 = time.perf_counter()
    model, meta, cfg = pm.load_model_file(args.model)
    sp = pm.sentencepiece_from_meta(meta)
    if meta.get("target_languages"):
        sys.exit("multilingual models (target-language tags) are not supported by this peer")
    t_load = time.perf_counter() - t0
    lines = read_lines(args.input)
    t1 = time.perf_counter()
    ids = translate(model, sp, lines, args)
    secs = time.perf_counter() - t1
    texts = [sp.decode([i for i in x if i not in (pm.PAD, pm.BOS, pm.EOS)]) for x in ids]
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.writelines(t + "\n" for t in texts)
    tokens = sum(len(x) for x in ids)
    for line in pm.describe_runtime():
        print(line)
    print("model: %d+%d layers, d=%d, %d heads, FFN %d, vocab %d, %s, %d parameters" % (
        cfg.enc_depth, cfg.dec_depth, cfg.dim_emb, cfg.heads, cfg.dim_ffn, cfg.vocab_size, cfg.norm,
        model.param_count()))
    print("beam %d, mini-batch %d: %d lines, %d target tokens in %.2f s (model load %.2f s)" % (
        args.beam_size, args.mini_batch, len(lines), tokens, secs, t_load))
    print("sentences/s: %.1f" % (len(lines) / secs))
    print("target tokens/s: %.0f" % (tokens / secs))
    print("peak RSS: %.0f MiB" % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0))
    if args.compare:
        ours = read_lines(args.compare)
        same = sum(1 for a, b in zip(texts, ours) if a == b)
        print("agreement with %s: %d / %d lines identical (%.1f %%)%s" % (
            args.compare, same, len(texts), 100.0 * same / max(1, len(texts)),
            "" if len(ours) == len(texts) else " [line counts differ: %d vs %d]" % (len(ours), len(texts))))


if __name__ == "__main__":
    main()
