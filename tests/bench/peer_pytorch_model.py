"""PyTorch twin of DeepNet's encoder-decoder Transformer, for the peer benchmarks.

The same model as src/model/transformer.h, layer for layer, with fairseq parameter names
(docs/model-format.md), so a DeepNet model file (safetensors) loads by name:
  x = dropout(E[tokens] * sqrt(C) + sinusoid[positions])  (positions from 0; first C/2
      columns sin(p w_i), last C/2 cos(p w_i), w_i = 10000^(-i/(C/2-1)))
  residual sublayer around G:  post      y = LN(x + dropout(G(x)))
                               deepnorm  y = LN(alpha * x + dropout(G(x)))   (alpha on the skip)
                               pre       y = x + dropout(G(LN(x)))  + final LN per stack
                               subln     pre + LN before out_proj (self-attention only) and
                                         between the activation and fc2 (Magneto)
  attention: softmax(q k^T / sqrt(D) + mask), dropout on the probabilities
  FFN: fc2(LN?(dropout_ffn(act(fc1 x))))
  logits = dec E_out^T (no bias); loss = CrossEntropy(label_smoothing, sum over tokens)
Also: a safetensors reader (8-byte LE header length + JSON + raw data), the model config
from the YAML stored in the file, DeepNorm constants and init, and incremental decoding
with cached keys/values for beam search.
Shapes: B batch, S source length, T target length, C model dim, H heads, D head dim.
"""
import base64
import json
import math
import os
import re
import struct


def select_openblas_coretype():
    """OPENBLAS_CORETYPE as src/core/blas_setup.cpp decides (a user's own value is kept):
    SkylakeX with AVX-512 (f, bw, dq, vl), else Haswell with AVX2 + FMA. Must run before
    torch (and so OpenBLAS) is loaded."""
    if os.environ.get("OPENBLAS_CORETYPE"):
        return os.environ["OPENBLAS_CORETYPE"]
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((l for l in f if l.startswith("flags")), "").split()
    except OSError:
        flags = []
    core = ""
    if all(x in flags for x in ("avx512f", "avx512bw", "avx512dq", "avx512vl")):
        core = "SkylakeX"
    elif "avx2" in flags and "fma" in flags:
        core = "Haswell"
    if core:
        os.environ["OPENBLAS_CORETYPE"] = core
    return core


select_openblas_coretype()

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

PAD, UNK, BOS, EOS = 0, 1, 2, 3


def setup_torch(threads):
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)


def describe_runtime():
    """What PyTorch runs on: version, threads, BLAS and the OpenBLAS kernel family."""
    import ctypes
    lines = ["torch %s, threads %d (interop %d), OPENBLAS_CORETYPE=%s, OMP_WAIT_POLICY=%s, GOMP_SPINCOUNT=%s" % (
        torch.__version__, torch.get_num_threads(), torch.get_num_interop_threads(),
        os.environ.get("OPENBLAS_CORETYPE", "(unset)"), os.environ.get("OMP_WAIT_POLICY", "(unset)"),
        os.environ.get("GOMP_SPINCOUNT", "(unset)"))]
    with open("/proc/self/maps") as f:
        loaded = sorted({l.split()[-1] for l in f if "blas" in l.split()[-1]})
    try:  # the library torch's BLAS calls resolve to (Debian: alternatives libblas.so.3)
        h = ctypes.CDLL("libblas.so.3")
        h.openblas_get_corename.restype = ctypes.c_char_p
        lines.append("BLAS: OpenBLAS core %s, %d threads (openblas_get_num_threads)" % (
            h.openblas_get_corename().decode(), h.openblas_get_num_threads()))
    except (OSError, AttributeError):
        lines.append("BLAS: libblas.so.3 is not OpenBLAS")
    lines.append("BLAS libraries loaded: " + ", ".join(os.path.realpath(x) for x in loaded))
    cfg = torch.__config__.show()
    cap = re.search(r"CPU capability usage: (\S+)", cfg)
    blas = re.search(r"BLAS_INFO=([^,]+)", cfg)
    lines.append("CPU capability %s, BLAS_INFO=%s, ATen backend: %s" % (
        cap.group(1) if cap else "?", blas.group(1) if blas else "?",
        "OpenMP" if "backend: OpenMP" in torch.__config__.parallel_info() else "other"))
    return lines


# ---------------------------------------------------------------- safetensors and config

def load_safetensors(path):
    """(tensors: name -> float32 torch.Tensor, metadata: dict of strings)."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {}) or {}
    dtypes = {"F32": np.float32, "F64": np.float64, "F16": np.float16}
    tensors = {}
    for name, info in header.items():
        dt = np.dtype(dtypes[info["dtype"]]).newbyteorder("<")
        begin, end = info["data_offsets"]
        a = np.frombuffer(data, dtype=dt, count=(end - begin) // dt.itemsize, offset=begin)
        tensors[name] = torch.from_numpy(a.astype(np.float32).reshape(info["shape"]))
    return tensors, meta


def save_safetensors(path, tensors, metadata=None):
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, t in tensors.items():
        b = t.detach().contiguous().to(torch.float32).numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h)
        for b in blobs:
            f.write(b)


def deepnorm_constants(N, M):
    """src/model/deepnorm.cpp: (alpha_enc, beta_enc, alpha_dec, beta_dec)."""
    return (0.81 * (N ** 4 * M) ** (1 / 16), 0.87 * (N ** 4 * M) ** (-1 / 16),
            (3 * M) ** 0.25, (12 * M) ** -0.25)


def subln_constants(N, M):
    return (1.0, math.sqrt(math.log(3 * M) * math.log(2 * N) / 3), 1.0, math.sqrt(math.log(3 * M)))


class Config:
    """The model options (src/config/options_model.cpp names), defaults as DeepNet's."""

    def __init__(self, **kw):
        self.enc_depth, self.dec_depth, self.dim_emb, self.heads, self.dim_ffn = 6, 6, 512, 8, 2048
        self.vocab_size, self.activation, self.norm = 8000, "relu", "deepnorm"
        self.dropout, self.dropout_attention, self.dropout_ffn = 0.1, 0.0, 0.0
        self.tied_embeddings = self.tied_embeddings_all = False
        self.label_smoothing, self.layer_norm_eps = 0.1, 1e-5
        self.alpha_enc = self.beta_enc = self.alpha_dec = self.beta_dec = None
        for k, v in kw.items():
            setattr(self, k, v)
        self.resolve_constants()

    def resolve_constants(self):
        N, M = self.enc_depth, self.dec_depth
        if self.norm == "deepnorm":
            d = deepnorm_constants(N, M)
        elif self.norm == "subln":
            d = subln_constants(N, M)
        else:
            d = (1.0, 1.0, 1.0, 1.0)
        if self.norm != "deepnorm":  # alpha is a DeepNorm-only skip scale
            self.alpha_enc = self.alpha_dec = None
        self.alpha_enc = self.alpha_enc if self.alpha_enc is not None else d[0]
        self.beta_enc = self.beta_enc if self.beta_enc is not None else d[1]
        self.alpha_dec = self.alpha_dec if self.alpha_dec is not None else d[2]
        self.beta_dec = self.beta_dec if self.beta_dec is not None else d[3]

    @staticmethod
    def from_yaml(text, vocab_size=None):
        import yaml
        y = yaml.safe_load(text) or {}
        num = lambda k, d: float(y[k]) if k in y and y[k] is not None else d  # "1e-05" is a str in YAML 1.1
        opt = lambda k: float(y[k]) if y.get(k) is not None else None
        c = Config(enc_depth=int(y.get("enc-depth", 6)), dec_depth=int(y.get("dec-depth", 6)),
                   dim_emb=int(y.get("dim-emb", 512)), heads=int(y.get("transformer-heads", 8)),
                   dim_ffn=int(y.get("transformer-dim-ffn", 2048)),
                   vocab_size=int(vocab_size or y.get("dim-vocabs", 8000)),
                   activation=str(y.get("transformer-ffn-activation", "relu")),
                   norm=str(y.get("transformer-norm", "deepnorm")),
                   dropout=num("transformer-dropout", 0.1),
                   dropout_attention=num("transformer-dropout-attention", 0.0),
                   dropout_ffn=num("transformer-dropout-ffn", 0.0),
                   tied_embeddings=bool(y.get("tied-embeddings", False)),
                   tied_embeddings_all=bool(y.get("tied-embeddings-all", False)),
                   label_smoothing=num("label-smoothing", 0.1),
                   layer_norm_eps=num("layer-norm-eps", 1e-5),
                   alpha_enc=opt("deepnorm-alpha-enc"), beta_enc=opt("deepnorm-beta-enc"),
                   alpha_dec=opt("deepnorm-alpha-dec"), beta_dec=opt("deepnorm-beta-dec"))
        c.train = y  # the rest (learn-rate, optimizer-params, ...) for the callers
        return c

    def pre_norm(self):
        return self.norm in ("pre", "subln")


def sinusoid_table(P, C):
    """(P, C): kernels/embedding_cpu.cpp sinusoid_table, computed in double like ours."""
    half = C // 2
    step = math.log(10000.0) / (half - 1) if half > 1 else 0.0
    p = torch.arange(P, dtype=torch.float64)[:, None]
    w = torch.exp(-torch.arange(half, dtype=torch.float64) * step)[None, :]
    t = torch.zeros(P, C, dtype=torch.float64)
    t[:, :half] = torch.sin(p * w)
    t[:, half:2 * half] = torch.cos(p * w)
    return t.to(torch.float32)


# ---------------------------------------------------------------- layers

class Attention(nn.Module):
    """fairseq names: q_proj, k_proj, v_proj, out_proj (+ inner_attn_ln for Sub-LN)."""

    def __init__(self, C, H, inner_ln, eps):
        super().__init__()
        self.H, self.D = H, C // H
        self.q_proj, self.k_proj, self.v_proj = nn.Linear(C, C), nn.Linear(C, C), nn.Linear(C, C)
        if inner_ln:
            self.inner_attn_ln = nn.LayerNorm(C, eps=eps)
        self.out_proj = nn.Linear(C, C)

    def heads(self, x):  # (B, L, C) -> (B, H, L, D)
        B, L, _ = x.shape
        return x.view(B, L, self.H, self.D).transpose(1, 2)

    def core(self, q, k, v, mask, p_drop):
        """q: (B, H, Tq, D), k, v: (B, H, Tk, D), mask: bool broadcastable to (B, H, Tq, Tk),
        True = masked. Returns out_proj(LN?(ctx)) as (B, Tq, C)."""
        w = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(self.D))
        if mask is not None:
            w = w.masked_fill(mask, float("-inf"))
        w = F.softmax(w, dim=-1)
        if p_drop > 0:
            w = F.dropout(w, p_drop, True)
        ctx = torch.matmul(w, v)
        B, H, Tq, D = ctx.shape
        ctx = ctx.transpose(1, 2).reshape(B, Tq, H * D)
        if hasattr(self, "inner_attn_ln"):
            ctx = self.inner_attn_ln(ctx)
        return self.out_proj(ctx)

    def forward(self, xq, xkv, mask, p_drop):
        return self.core(self.heads(self.q_proj(xq)), self.heads(self.k_proj(xkv)),
                         self.heads(self.v_proj(xkv)), mask, p_drop)


class Layer(nn.Module):
    """Encoder layer (cross=False) or decoder layer (cross=True): fairseq names
    self_attn, self_attn_layer_norm, [encoder_attn, encoder_attn_layer_norm], fc1,
    [ffn_layernorm], fc2, final_layer_norm."""

    def __init__(self, cfg, cross, alpha):
        super().__init__()
        C, F_, eps, subln = cfg.dim_emb, cfg.dim_ffn, cfg.layer_norm_eps, cfg.norm == "subln"
        self.cfg, self.alpha, self.pre = cfg, alpha, cfg.pre_norm()
        self.self_attn = Attention(C, cfg.heads, subln, eps)
        self.self_attn_layer_norm = nn.LayerNorm(C, eps=eps)
        if cross:  # Magneto: no inner LayerNorm in cross-attention
            self.encoder_attn = Attention(C, cfg.heads, False, eps)
            self.encoder_attn_layer_norm = nn.LayerNorm(C, eps=eps)
        self.fc1 = nn.Linear(C, F_)
        if subln:
            self.ffn_layernorm = nn.LayerNorm(F_, eps=eps)
        self.fc2 = nn.Linear(F_, C)
        self.final_layer_norm = nn.LayerNorm(C, eps=eps)
        self.act = F.gelu if cfg.activation == "gelu" else F.relu

    def residual(self, x, ln, branch):
        p = self.cfg.dropout if self.training else 0.0
        if self.pre:
            return x + F.dropout(branch(ln(x)), p, self.training)
        g = F.dropout(branch(x), p, self.training)
        return ln(x * self.alpha + g) if self.alpha != 1.0 else ln(x + g)

    def ffn(self, x):
        h = self.act(self.fc1(x))
        if self.training and self.cfg.dropout_ffn > 0:
            h = F.dropout(h, self.cfg.dropout_ffn, True)
        if hasattr(self, "ffn_layernorm"):
            h = self.ffn_layernorm(h)
        return self.fc2(h)

    def p_att(self):
        return self.cfg.dropout_attention if self.training else 0.0

    def forward(self, x, self_mask, enc=None, enc_mask=None):
        x = self.residual(x, self.self_attn_layer_norm,
                          lambda u: self.self_attn(u, u, self_mask, self.p_att()))
        if enc is not None:
            x = self.residual(x, self.encoder_attn_layer_norm,
                              lambda u: self.encoder_attn(u, enc, enc_mask, self.p_att()))
        return self.residual(x, self.final_layer_norm, self.ffn)


class Stack(nn.Module):
    """encoder.* or decoder.*: embed_tokens, layers.{i}, [layer_norm], [output_projection]."""

    def __init__(self, cfg, decoder, shared_embed=None):
        super().__init__()
        self.cfg, self.decoder = cfg, decoder
        self.embed_tokens = shared_embed if shared_embed is not None else \
            nn.Embedding(cfg.vocab_size, cfg.dim_emb, padding_idx=PAD)
        alpha = cfg.alpha_dec if decoder else cfg.alpha_enc
        depth = cfg.dec_depth if decoder else cfg.enc_depth
        self.layers = nn.ModuleList(Layer(cfg, decoder, alpha if cfg.norm == "deepnorm" else 1.0)
                                    for _ in range(depth))
        if cfg.pre_norm():
            self.layer_norm = nn.LayerNorm(cfg.dim_emb, eps=cfg.layer_norm_eps)
        self.scale = math.sqrt(cfg.dim_emb)
        self.register_buffer("positions", sinusoid_table(1024, cfg.dim_emb), persistent=False)

    def pos(self, start, L):
        if start + L > self.positions.shape[0]:  # computed on the CPU as at construction
            self.positions = sinusoid_table(2 * (start + L), self.cfg.dim_emb).to(self.positions.device)
        return self.positions[start:start + L]

    def embed(self, tokens, start=0):
        x = self.embed_tokens(tokens) * self.scale + self.pos(start, tokens.shape[1])
        p = self.cfg.dropout if self.training else 0.0
        return F.dropout(x, p, self.training) if p > 0 else x

    def final(self, x):
        return self.layer_norm(x) if hasattr(self, "layer_norm") else x


class Transformer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.encoder = Stack(cfg, False)
        self.decoder = Stack(cfg, True, self.encoder.embed_tokens if cfg.tied_embeddings_all else None)
        if not (cfg.tied_embeddings or cfg.tied_embeddings_all):
            self.decoder.output_projection = nn.Linear(cfg.dim_emb, cfg.vocab_size, bias=False)

    def out_weight(self):
        d = self.decoder
        return d.output_projection.weight if hasattr(d, "output_projection") else d.embed_tokens.weight

    @staticmethod
    def key_mask(lengths, L):  # (B, 1, 1, L): True at padding keys
        return (torch.arange(L, device=lengths.device)[None, :] >= lengths[:, None])[:, None, None, :]

    def encode(self, src, src_len):
        mask = self.key_mask(src_len, src.shape[1])
        x = self.encoder.embed(src)
        for layer in self.encoder.layers:
            x = layer(x, mask)
        return self.encoder.final(x), mask

    def forward(self, src, src_len, tgt_in, tgt_len):
        """Logits (B, T, V)."""
        enc, enc_mask = self.encode(src, src_len)
        T = tgt_in.shape[1]
        causal = torch.ones(T, T, dtype=torch.bool).triu(1)[None, None]
        self_mask = causal | self.key_mask(tgt_len, T)
        x = self.decoder.embed(tgt_in)
        for layer in self.decoder.layers:
            x = layer(x, self_mask, enc, enc_mask)
        return F.linear(self.decoder.final(x), self.out_weight())

    def loss(self, logits, tgt_out):
        """Summed label-smoothed CE (PyTorch's label_smoothing = ours) and summed NLL."""
        flat, y = logits.reshape(-1, logits.shape[-1]), tgt_out.reshape(-1)
        return F.cross_entropy(flat, y, ignore_index=-1, reduction="sum",
                               label_smoothing=self.cfg.label_smoothing)

    # ------------------------------------------------------------ weights

    def param_count(self):
        return sum(p.numel() for p in self.parameters())  # shared tensors counted once

    def init_deepnet(self, seed=1111):
        """src/model/deepnorm.cpp's rules (not its counter-based values): N(0, C^-1/2)
        embeddings with a zero <pad> row, Xavier normal with gain beta on v_proj, out_proj,
        fc1, fc2 (Sub-LN: encoder_attn keeps gain 1), gain 1 on q_proj, k_proj."""
        g = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            for name, p in self.named_parameters():
                if "embed_tokens" in name or "output_projection" in name:
                    p.normal_(0, p.shape[1] ** -0.5, generator=g)
                    if "embed_tokens" in name:
                        p[PAD].zero_()
                elif p.dim() == 1:
                    p.fill_(1.0 if name.endswith(".weight") else 0.0)
                else:
                    gain = 1.0
                    if any(s in name for s in ("v_proj.", "out_proj.", ".fc1.", ".fc2.")):
                        enc = name.startswith("encoder.")
                        gain = self.cfg.beta_enc if enc else self.cfg.beta_dec
                        if self.cfg.norm == "subln" and "encoder_attn." in name:
                            gain = 1.0
                    std = gain * math.sqrt(2.0 / (p.shape[0] + p.shape[1]))
                    p.normal_(0, std, generator=g)

    def load_deepnet(self, tensors):
        """Loads every parameter by its fairseq name; the file must hold exactly ours."""
        own = dict(self.named_parameters())  # unique tensors under their first name
        names = set(own)
        missing = [n for n in names if n not in tensors]
        extra = [n for n in tensors if n not in names]
        if missing or extra:
            raise ValueError("tensor names differ: missing %s, unexpected %s" % (missing[:5], extra[:5]))
        with torch.no_grad():
            for n, p in own.items():
                if tuple(tensors[n].shape) != tuple(p.shape):
                    raise ValueError("%s: shape %s in the file, %s in the twin" % (
                        n, tuple(tensors[n].shape), tuple(p.shape)))
                p.copy_(tensors[n])

    def named_tensors(self):
        return {n: p for n, p in self.named_parameters()}


def load_model_file(path, device=None):
    """(Transformer in eval mode with DeepNet's weights, metadata, config); the weights are
    read on the CPU and then moved to `device` (e.g. "cuda") when one is given."""
    tensors, meta = load_safetensors(path)
    V = tensors["encoder.embed_tokens.weight"].shape[0]
    cfg = Config.from_yaml(meta.get("config", ""), vocab_size=V)
    model = Transformer(cfg)
    model.load_deepnet(tensors)
    model.eval()
    if device is not None:
        model.to(device)
    return model, meta, cfg


def sentencepiece_from_meta(meta):
    import sentencepiece as spm
    return spm.SentencePieceProcessor(model_proto=base64.b64decode(meta["vocab"]))


# ---------------------------------------------------------------- incremental decoding

class IncrementalDecoder:
    """Encoder once per batch; then one target position per step for N hypotheses.
    Self-attention keys/values are cached per layer as (N, H, t, D) and grow by one
    position per step; cross-attention keys/values are computed once per sentence and
    gathered per hypothesis (fairseq's reorder_incremental_state does the same).
    Everything lives on the device of the model's weights (`device`)."""

    def __init__(self, model):
        self.m = model
        self.device = model.out_weight().device

    @torch.no_grad()
    def start(self, sources):
        """sources: list of id lists without </s>."""
        S = max(len(s) for s in sources) + 1
        # The padded batch (ids, </s>, <pad>...) is built on the host: one copy to the device.
        src = torch.tensor([list(s) + [EOS] + [PAD] * (S - 1 - len(s)) for s in sources],
                           dtype=torch.long, device=self.device)
        self.src_len = torch.tensor([len(s) + 1 for s in sources], dtype=torch.long, device=self.device)
        enc, self.enc_mask = self.m.encode(src, self.src_len)
        self.cross = []
        for layer in self.m.decoder.layers:
            a = layer.encoder_attn
            self.cross.append((a.heads(a.k_proj(enc)), a.heads(a.v_proj(enc))))
        self.hyp_cross = None  # per hypothesis: gathered by sentence at the first step
        self.self_kv = [None] * len(self.m.decoder.layers)
        self.t = 0

    @torch.no_grad()
    def step(self, tokens, sentence):
        """tokens, sentence: LongTensors (N). Returns log-probabilities (N, V)."""
        d = self.m.decoder
        if self.hyp_cross is None:
            self.hyp_cross = [(k.index_select(0, sentence), v.index_select(0, sentence))
                              for k, v in self.cross]
            self.hyp_mask = self.enc_mask.index_select(0, sentence)
        x = d.embed(tokens[:, None], start=self.t)  # (N, 1, C)
        for l, layer in enumerate(d.layers):
            def self_att(u, layer=layer, l=l):
                a = layer.self_attn
                k, v = a.heads(a.k_proj(u)), a.heads(a.v_proj(u))
                if self.self_kv[l] is not None:
                    k = torch.cat([self.self_kv[l][0], k], dim=2)
                    v = torch.cat([self.self_kv[l][1], v], dim=2)
                self.self_kv[l] = (k, v)
                return a.core(a.heads(a.q_proj(u)), k, v, None, 0.0)

            def cross_att(u, layer=layer, l=l):
                a = layer.encoder_attn
                k, v = self.hyp_cross[l]
                return a.core(a.heads(a.q_proj(u)), k, v, self.hyp_mask, 0.0)

            x = layer.residual(x, layer.self_attn_layer_norm, self_att)
            x = layer.residual(x, layer.encoder_attn_layer_norm, cross_att)
            x = layer.residual(x, layer.final_layer_norm, layer.ffn)
        logits = F.linear(d.final(x[:, 0]), self.m.out_weight())
        self.t += 1
        return F.log_softmax(logits, dim=-1)

    def reorder(self, parent):
        """Hypothesis i continues hypothesis parent[i] of the last step."""
        self.self_kv = [(k.index_select(0, parent), v.index_select(0, parent)) for k, v in self.self_kv]
        self.hyp_cross = [(k.index_select(0, parent), v.index_select(0, parent)) for k, v in self.hyp_cross]
        self.hyp_mask = self.hyp_mask.index_select(0, parent)


def max_output_length(src_len_with_eos, factor):
    return max(1, int(math.floor(factor * src_len_with_eos)))


def _upload(hyps, parent, sel, device):
    """beam_search's per-step bookkeeping for the hypotheses `hyps` [(sentence, tokens, score)],
    in one host-to-device copy: a LongTensor (6, N) whose rows are the last token (<s> for
    none), the sentence, its slot (index among the step's sentences), the row within the
    sentence, `parent` (for IncrementalDecoder.reorder) and `sel` (where the hypothesis' score
    is in the last step's flattened best values). Also `first`: sentence -> (slot, its first
    row); the hypotheses of a sentence are contiguous."""
    first, slot, j_in = {}, [], []
    for n, h in enumerate(hyps):
        if h[0] not in first:
            first[h[0]] = (len(first), n)
        slot.append(first[h[0]][0])
        j_in.append(n - first[h[0]][1])
    rows = [[h[1][-1] if h[1] else BOS for h in hyps], [h[0] for h in hyps], slot, j_in, parent, sel]
    return torch.tensor(rows, dtype=torch.long, device=device), first


@torch.no_grad()
def beam_search(dec, sources, beam_size=4, normalize=0.6, max_length_factor=3.0, allow_unk=False):
    """src/translate/beam_search.h: Marian's algorithm. Every active hypothesis is extended
    by every allowed token (score = sum of log-probs in double); per sentence the
    k = beam - finished best extensions survive; those ending in </s> leave the beam.
    The last allowed position forces </s>. Returns per sentence the finished hypotheses
    [(tokens, score, total)], best total = score / (len + 1)^normalize first.
    The tensors live on dec.device; the hypotheses' token lists are kept on the host, so each
    step makes one copy to the device (_upload) and one back (the best candidates)."""
    K = beam_size
    B = len(sources)
    finished = [[] for _ in range(B)]
    if B == 0:
        return finished
    dev = dec.device
    dec.start(sources)
    V = dec.m.cfg.vocab_size
    max_len = torch.tensor([max_output_length(len(s) + 1, max_length_factor) for s in sources],
                           dtype=torch.long, device=dev)
    banned = torch.zeros(V, dtype=torch.bool, device=dev)
    banned[PAD] = banned[BOS] = True
    if not allow_unk:
        banned[UNK] = True
    eos_only = torch.ones(V, dtype=torch.bool, device=dev)
    eos_only[EOS] = False
    k_row = min(K, V)
    W = min(K, K * k_row)  # candidates kept per sentence and step
    active = [(b, [], 0.0) for b in range(B)]  # (sentence, tokens, score)
    score = torch.zeros(B, dtype=torch.float64, device=dev)  # the scores of `active`
    host, first = _upload(active, list(range(B)), list(range(B)), dev)
    while active:
        N = len(active)
        tokens, sent, slot, j_in = host[0], host[1], host[2], host[3]
        logp = dec.step(tokens, sent)
        t = dec.t  # tokens of an extension, </s> included
        force = max_len.index_select(0, sent) <= t
        ban = torch.where(force[:, None], eos_only[None, :], banned[None, :])
        scores = logp.double().masked_fill(ban, float("-inf"))
        scores += score[:, None]
        row_val, row_tok = torch.topk(scores, k_row, dim=1)  # (N, K), best first
        # Pool the rows of each sentence (contiguous) into (sentences, K * K) candidates.
        Bs = len(first)
        pool = torch.full((Bs, K, k_row), float("-inf"), dtype=torch.float64, device=dev)
        pool[slot, j_in] = row_val
        flat = pool.view(Bs, K * k_row)
        best_val_d, best_idx = torch.topk(flat, W, dim=1)  # sorted, ties: lower index
        # One copy back per step: the values (float64 bits as int64), indices and row tokens.
        M = Bs * W
        back = torch.cat([best_val_d.reshape(-1).view(torch.int64), best_idx.reshape(-1),
                          row_tok.reshape(-1)]).cpu()
        best_val = back[:M].view(torch.float64).view(Bs, W).tolist()
        best_idx = back[M:2 * M].view(Bs, W).tolist()
        row_tok_l = back[2 * M:].view(N, k_row).tolist()
        nxt, parent, sel = [], [], []
        for s, (si, n0) in first.items():
            k = K - len(finished[s])
            for i in range(k):
                val = best_val[si][i]
                if val == float("-inf"):
                    break
                j, r = divmod(best_idx[si][i], k_row)
                hyp = n0 + j
                tok = row_tok_l[hyp][r]
                h = active[hyp]
                if tok == EOS:
                    n = len(h[1])
                    tot = val / (n + 1) ** normalize if normalize != 0 else val
                    finished[s].append((h[1], val, tot))
                else:
                    nxt.append((s, h[1] + [tok], val))
                    parent.append(hyp)
                    sel.append(si * W + i)
        if nxt:
            host, first = _upload(nxt, parent, sel, dev)
            dec.reorder(host[4])
            score = best_val_d.reshape(-1).index_select(0, host[5])  # = the vals kept in nxt
        active = nxt
    for f in finished:
        f.sort(key=lambda x: -x[2])  # stable: ties keep the order of finishing
    return finished
