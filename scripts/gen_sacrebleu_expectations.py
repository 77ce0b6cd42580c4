#!/usr/bin/env python3
"""Expected `deepnet eval` outputs from sacreBLEU 2.x itself, on random corpora.

sacreBLEU is not a dependency of DeepNet and is not pip-installable on the build machines,
so this script is run by hand, against a copy of sacreBLEU's Python package reconstructed
from its public source (mjpost/sacrebleu: __init__ declaring 2.4.0, utils.py,
metrics/{base,bleu,chrf,ter,lib_ter,helpers}.py, tokenizers/*, significance.py,
sacrebleu.py; dataset/ may be a stub) with numpy 1.x, regex, tabulate and colorama:

    PYTHONPATH=/path/to/sacrebleu_src python3 scripts/gen_sacrebleu_expectations.py \\
        generate --cases 40 --max-segments 10 > tests/eval/data/sacrebleu_cli_cases.txt
    PYTHONPATH=/path/to/sacrebleu_src python3 scripts/gen_sacrebleu_expectations.py \\
        compare --deepnet build/deepnet --cases 500 --seed 7

`generate` writes cases for tests/app/test_eval_sacrebleu_cases.cpp; `compare` runs
`deepnet eval` on freshly drawn cases and reports any output that differs. Both run
`python3 -m sacrebleu REFS -i HYPS ... -f text -q` with NO_COLOR set, so the text is what
sacreBLEU prints to a pipe, and without any SACREBLEU_FORMAT of the caller's environment
(it would override -f).

--extras adds, per case and from a generator of its own (so the draws above, and the
committed case file, stay as they were), the CLI features matched later:
    -nr/--num-refs N   the references as one file of N tab-separated fields per line
                       ("file ref0" then holds the tabs), instead of N files;
    --short            the short signatures (text lines, the signature list of a table);
    -f latex           several systems: tabulate's latex_booktabs table;
    SACREBLEU_FORMAT   json / text / latex / LaTeX / html (not a format: ignored) in the
                       environment of both programs, with -f text given to both (sacreBLEU
                       lets the variable override -f);
    byte order mark    U+FEFF before the first line of ref0 and/or hyp0 (sacreBLEU reads
                       utf-8, not utf-8-sig: it stays glued to the first word).
`compare --extras` also checks -nr's refusal of a line with fewer fields: sacreBLEU must
exit with 17 and print "FATAL: line L: expected N fields, but found K.", and `deepnet
eval` must fail with the same "line L: expected N fields, but found K." in its message.
    PYTHONPATH=/path/to/sacrebleu_src python3 scripts/gen_sacrebleu_expectations.py \\
        compare --extras --deepnet build/deepnet --cases 500 --seed 11

Case file format (UTF-8, one case after another):
    === <name>
    args <deepnet eval arguments after -r/-i>
    env SACREBLEU_SEED=<seed>          (optional)
    file ref0 <n>                      then n lines; ref1, hyp0, hyp1, ... likewise
                                       (with -nr N in args, ref0 alone, N tab-separated
                                       references per line)
    expect <n>                         then n lines of expected standard output
"""
import argparse
import os
import random
import subprocess
import sys
import tempfile

WORDS = [
    "the", "The", "THE", "cat", "Cat", "sat", "on", "mat", "a", "dog", "house", "is", "big",
    ".", ",", "!", "?", "\"", "(", ")", ";", ":", "'s", "Jim's", "car.", "(c)", "4.2", "1,000",
    "5-3", "well-known", "x-y", "--", "&amp;", "&quot;", "&lt;b&gt;", "A&amp;B", "<skipped>",
    "美", "众院", "公布对特", "りの", "拳銃を持", "カタカナ", "。", "、", "（", "）", "，", "「",
    "ΟΔΟΣ", "İstanbul", "straße", "naïve", "€5", "$", "%", "x²", "1990.", "3.14,", "U.S.",
]


def sentence(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def perturb(rng, ref):
    """A hypothesis: the reference with word edits and block moves (TER shifts)."""
    words = ref.split()
    for _ in range(rng.randint(0, 4)):
        op = rng.random()
        if op < 0.25 and words:
            words[rng.randrange(len(words))] = rng.choice(WORDS)
        elif op < 0.45 and words:
            del words[rng.randrange(len(words))]
        elif op < 0.6:
            words.insert(rng.randint(0, len(words)), rng.choice(WORDS))
        elif len(words) > 2:  # move a block
            i = rng.randrange(len(words))
            j = min(len(words), i + rng.randint(1, 4))
            block, rest = words[i:j], words[:i] + words[j:]
            k = rng.randint(0, len(rest))
            words = rest[:k] + block + rest[k:]
    if rng.random() < 0.05:
        return ""
    return " ".join(words)


def draw_case(rng, idx, max_segments=40):
    n_seg = min(max_segments, rng.choice([1, 2, 3, 5, 8, 13, 21, 40]))
    n_refs = rng.choice([1, 1, 1, 2, 3])
    refs = [[] for _ in range(n_refs)]
    for _ in range(n_seg):
        length = rng.choice([1, 3, 6, 10, 15, 25, 60]) if rng.random() < 0.9 else rng.randint(55, 80)
        base = sentence(rng, length)
        for r in range(n_refs):
            line = base if r == 0 else perturb(rng, base)
            if r > 0 and rng.random() < 0.15:
                line = ""  # variable number of references
            refs[r].append(line or base)
    mode = rng.choice(["single", "single", "confidence", "multi", "paired-bs", "paired-ar"])
    n_sys = 1 if mode in ("single", "confidence") else rng.randint(2, 4)
    systems = []
    for _ in range(n_sys):
        hyp = []
        for i in range(n_seg):
            if rng.random() < 0.03:
                hyp.append(rng.choice(WORDS))  # very unequal lengths
            else:
                hyp.append(perturb(rng, refs[0][i]))
        systems.append(hyp)
    metrics = rng.sample(["bleu", "chrf", "ter"], rng.randint(1, 3))
    args = ["-m"] + metrics
    for flag in ["--ter-case-sensitive", "--ter-normalized", "--ter-no-punct", "--ter-asian-support"]:
        if "ter" in metrics and rng.random() < 0.4:
            args.append(flag)
    if "bleu" in metrics:
        smooth = rng.choice(["exp", "exp", "floor", "none", "add-k"])
        if smooth != "exp":
            args += ["-s", smooth]
        if smooth == "floor" and rng.random() < 0.5:
            args += ["-sv", "0.25"]
        args += rng.choice([[], [], ["-tok", "intl"], ["-tok", "none"], ["-tok", "char"]])
        if "chrf" not in metrics and rng.random() < 0.3:
            args.append("-lc")  # sacreBLEU's -lc is BLEU's only
    if "chrf" in metrics and rng.random() < 0.4:
        args += ["-cw", "2"]
    args += ["-w", str(rng.choice([1, 1, 2, 3, 4]))]
    env = {}
    if mode == "single" and rng.random() < 0.3:
        args.append("-b")
    if mode == "confidence":
        args += ["--confidence", "--confidence-n", str(rng.choice([20, 100, 1000]))]
    if mode == "paired-bs":
        args += ["--paired-bs", "--paired-bs-n", str(rng.choice([50, 200, 1000]))]
    if mode == "paired-ar":
        args += ["--paired-ar", "--paired-ar-n", str(rng.choice([100, 500, 2000]))]
    if mode in ("confidence", "paired-bs", "paired-ar") and rng.random() < 0.5:
        env["SACREBLEU_SEED"] = str(rng.choice([1, 42, 2**40 + 3]))
    return {"name": f"case{idx}-{mode}", "refs": refs, "systems": systems, "args": args, "env": env,
            "mode": mode, "format": "text"}


BOM = "\ufeff"


def add_extras(case, seed, idx):
    """The --extras features, drawn from their own generator (the case itself is unchanged
    when none is drawn)."""
    rng = random.Random(f"extras-{seed}-{idx}")
    multi = case["mode"] in ("multi", "paired-bs", "paired-ar")
    refs = case["refs"]
    if len(refs) > 1 and rng.random() < 0.5:
        # -nr: one file, line i = "\t".join(refs[r][i]). Fields are not rstripped by
        # sacreBLEU, and the whole line is: the generated lines have no trailing spaces.
        case["tabbed_refs"] = True
        case["args"] += ["-nr", str(len(refs))]
        case["name"] += "-nr"
    if rng.random() < 0.3:
        case["args"].append("--short")
        case["name"] += "-short"
    if multi and rng.random() < 0.4:
        case["format"] = "latex"
        case["name"] += "-latex"
    elif rng.random() < 0.2:
        case["env"]["SACREBLEU_FORMAT"] = rng.choice(["json", "text", "latex", "LaTeX", "html"])
        case["name"] += "-envformat"
    if rng.random() < 0.2:
        which = rng.choice(["ref", "hyp", "both"])
        if which in ("ref", "both") and refs[0]:
            refs[0][0] = BOM + refs[0][0]
        if which in ("hyp", "both") and case["systems"][0]:
            case["systems"][0][0] = BOM + case["systems"][0][0]
        case["name"] += "-bom-" + which
    return case


def ref_files_content(case):
    """The reference files as lists of lines: one per stream, or one tab-separated (-nr)."""
    if case.get("tabbed_refs"):
        return [["\t".join(fields) for fields in zip(*case["refs"])]]
    return case["refs"]


def write_files(case, tmp):
    refs, hyps = [], []
    for r, lines in enumerate(ref_files_content(case)):
        refs.append(os.path.join(tmp, f"ref{r}"))
        with open(refs[-1], "w", encoding="utf-8") as f:
            f.write("".join(line + "\n" for line in lines))
    for s, lines in enumerate(case["systems"]):
        hyps.append(os.path.join(tmp, f"hyp{s}"))
        with open(hyps[-1], "w", encoding="utf-8") as f:
            f.write("".join(line + "\n" for line in lines))
    return refs, hyps


def emit(case, expected):
    out = [f"=== {case['name']}", "args " + " ".join(case["args"])]
    for k, v in case["env"].items():
        out.append(f"env {k}={v}")
    for r, lines in enumerate(ref_files_content(case)):
        out.append(f"file ref{r} {len(lines)}")
        out += lines
    for s, lines in enumerate(case["systems"]):
        out.append(f"file hyp{s} {len(lines)}")
        out += lines
    exp = expected.split("\n")
    if exp and exp[-1] == "":
        exp.pop()
    out.append(f"expect {len(exp)}")
    out += exp
    return "\n".join(out) + "\n"


def clean_environ():
    """The caller's environment without SACREBLEU_FORMAT, which overrides -f in both programs."""
    env = dict(os.environ)
    env.pop("SACREBLEU_FORMAT", None)
    return env


def check_nr_refusal(case, binary):
    """-nr with a line that lacks its last field: sacreBLEU's FATAL message and exit 17, and
    `deepnet eval` failing with the same words. Returns 1 when they disagree."""
    n = len(case["refs"])
    lines = ref_files_content(case)[0]
    bad_line = len(lines) // 2
    lines = list(lines)
    lines[bad_line] = lines[bad_line].rsplit("\t", 1)[0]  # n - 1 fields
    words = f"line {bad_line + 1}: expected {n} fields, but found {n - 1}."
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "ref0"), "w", encoding="utf-8") as f:
            f.write("".join(line + "\n" for line in lines))
        with open(os.path.join(tmp, "hyp0"), "w", encoding="utf-8") as f:
            f.write("".join(line + "\n" for line in case["systems"][0]))
        env = dict(clean_environ(), NO_COLOR="1")
        sb = subprocess.run([sys.executable, "-m", "sacrebleu", "ref0", "-i", "hyp0", "-nr", str(n), "-q"],
                            cwd=tmp, env=env, capture_output=True, text=True)
        dn = subprocess.run([binary, "eval", "-r", "ref0", "-i", "hyp0", "-nr", str(n)], cwd=tmp,
                            env=clean_environ(), capture_output=True, text=True)
    ok = sb.returncode == 17 and ("FATAL: " + words) in sb.stderr and dn.returncode != 0 and words in dn.stderr
    if not ok:
        print(f"--- {case['name']}: -nr {n} refusal differs")
        print(f"sacreBLEU (exit {sb.returncode}):\n{sb.stderr}deepnet (exit {dn.returncode}):\n{dn.stderr}")
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["generate", "compare"])
    ap.add_argument("--cases", type=int, default=60)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--deepnet", default="build/deepnet")
    ap.add_argument("--max-segments", type=int, default=40, help="keeps generated files small")
    ap.add_argument("--extras", action="store_true",
                    help="also draw -nr, --short, -f latex, SACREBLEU_FORMAT and byte order marks")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    binary = os.path.abspath(args.deepnet)
    bad = 0
    for i in range(args.cases):
        case = draw_case(rng, i, args.max_segments)
        if args.extras:
            add_extras(case, args.seed, i)
            if args.mode == "compare" and case.get("tabbed_refs") and random.Random(f"nr-bad-{args.seed}-{i}").random() < 0.1:
                bad += check_nr_refusal(case, binary)
        with tempfile.TemporaryDirectory() as tmp:
            # Run inside tmp with relative names, so the systems are named "hyp0", "hyp1", ...
            old = os.getcwd()
            os.chdir(tmp)
            try:
                refs, hyps = write_files(case, ".")
                env = dict(clean_environ(), NO_COLOR="1", **case["env"])
                # -f text explicitly where SACREBLEU_FORMAT is set, so that it overrides a flag.
                fmt = case["format"]
                deepnet_fmt = ["-f", fmt] if fmt != "text" or "SACREBLEU_FORMAT" in case["env"] else []
                cmd = [sys.executable, "-m", "sacrebleu", *[os.path.basename(r) for r in refs], "-i",
                       *[os.path.basename(h) for h in hyps], *case["args"], "-f", fmt, "-q"]
                expected = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
                if args.mode == "generate":
                    case["args"] = case["args"] + deepnet_fmt
                    sys.stdout.write(emit(case, expected))
                    continue
                cmd = [binary, "eval", "-r", *[os.path.basename(r) for r in refs], "-i",
                       *[os.path.basename(h) for h in hyps], *case["args"], *deepnet_fmt]
                got = subprocess.run(cmd, env=dict(clean_environ(), **case["env"]), capture_output=True,
                                     text=True).stdout
            finally:
                os.chdir(old)
        if got != expected:
            bad += 1
            print(f"--- {case['name']} differs: deepnet eval {' '.join(case['args'])}")
            print("expected:\n" + expected + "got:\n" + got)
    if args.mode == "compare":
        print(f"{args.cases - bad} of {args.cases} cases identical")
        sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
