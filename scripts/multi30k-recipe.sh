#!/usr/bin/env bash
# The Multi30k recipe end to end, for one direction: prepare the data, train
# (configs/multi30k-en-de.yaml unless --config), average the last checkpoints, translate every
# test set present and score it cased (sacreBLEU's default) and lowercased (-lc), both 13a.
# Writes OUT/results.md (one row per test set and checkpoint) and OUT/times.txt.
#
#   scripts/multi30k-recipe.sh [--data DIR] [--out DIR] [--pair SRC TGT] [--config FILE]
#                              [--average N] [--quick] [-- TRAIN_OPTIONS...]
#
# --data    Multi30k as gzip files (default data/multi30k; filled by get-multi30k.sh)
# --out     output directory (default models/multi30k-SRC-TGT); a rerun resumes training
# --pair    direction (default en de; en fr and en cs use the same config)
# --average checkpoints averaged for the "avg" rows (default 10; the config keeps 10)
# --quick   a one-minute smoke run on the first 2,000 training lines (tests use it)
# Options after -- go to `deepnet train` and override the config.
# The binary is build/deepnet unless $DEEPNET names another.
set -euo pipefail
unset SACREBLEU_FORMAT  # it would override `deepnet eval -f`, as in sacreBLEU; we parse text
here="$(cd "$(dirname "$0")/.." && pwd)"
bin=${DEEPNET:-$here/build/deepnet}
data=data/multi30k
out=
src=en tgt=de
config=$here/configs/multi30k-en-de.yaml
average=10
quick=0
extra=()
while [ $# -gt 0 ]; do
    case $1 in
        --data) data=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --pair) src=$2 tgt=$3; shift 3 ;;
        --config) config=$2; shift 2 ;;
        --average) average=$2; shift 2 ;;
        --quick) quick=1; shift ;;
        --) shift; extra=("$@"); break ;;
        -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "multi30k-recipe: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
[ -x "$bin" ] || { echo "multi30k-recipe: $bin is missing: run scripts/setup.sh first" >&2; exit 1; }
out=${out:-models/multi30k-$src-$tgt}
mkdir -p "$out"

[ -s "$data/train.$src.gz" ] && [ -s "$data/train.$tgt.gz" ] || "$here/scripts/get-multi30k.sh" "$data"
for f in train.$src train.$tgt val.$src val.$tgt; do
    [ -s "$data/$f.gz" ] || { echo "multi30k-recipe: $data/$f.gz is missing" >&2; exit 1; }
done

train_src=$data/train.$src.gz train_tgt=$data/train.$tgt.gz
quick_opts=()
if [ $quick = 1 ]; then
    # A smoke run: the first 2,000 pairs, the benchmark scripts' tiny CPU model at 2+2 layers,
    # saved every 10 of its 40 updates (4 checkpoints to average). Config files, not flags, so
    # that TRAIN_OPTIONS can still override them.
    zcat "$data/train.$src.gz" | head -2000 > "$out/quick-train.$src"
    zcat "$data/train.$tgt.gz" | head -2000 > "$out/quick-train.$tgt"
    train_src=$out/quick-train.$src train_tgt=$out/quick-train.$tgt
    printf 'enc-depth: 2\ndec-depth: 2\nsave-freq: 10\n' > "$out/quick.yml"
    quick_opts=(-c "$here/configs/tiny-cpu.yaml" -c "$out/quick.yml")
fi

model=$out/model.safetensors
start=$(date +%s)
"$bin" train -c "$config" \
    --train-sets "$train_src" "$train_tgt" \
    --valid-sets "$data/val.$src.gz" "$data/val.$tgt.gz" \
    --vocabs "$out/vocab.spm" --model "$model" --log "$out/train.log" \
    ${quick_opts[@]+"${quick_opts[@]}"} ${extra[@]+"${extra[@]}"}
train_s=$(( $(date +%s) - start ))
# The training time of the whole run (resumes included) from its JSON log, when jq is here.
if command -v jq > /dev/null && [ -s "$model.train.jsonl" ]; then
    logged=$(jq -rs '[.[] | select(.type == "train") | .elapsed_seconds] | last // empty' "$model.train.jsonl")
    [ -z "$logged" ] || train_s=${logged%.*}
fi

candidates=("$model")
[ -f "${model%.safetensors}.best-bleu.safetensors" ] && candidates+=("${model%.safetensors}.best-bleu.safetensors")
avg=$out/model.avg$average.safetensors
if "$bin" average -m "$model" --last "$average" -o "$avg" --quiet 2>"$out/average.log"; then
    candidates+=("$avg")
else
    echo "multi30k-recipe: no average ($(tail -1 "$out/average.log"))" >&2
fi

# "BLEU|... = 34.20 65.1/40.3/27.0/18.4 (BP = 0.893 ...)" -> "34.20 0.893"
bleu_bp() { sed -n 's/^BLEU[^=]*= \([0-9.]*\) .*BP = \([0-9.]*\).*/\1 \2/p'; }
chrf() { sed -n 's/^chrF2[^=]*= \([0-9.]*\).*/\1/p'; }

# The config's decoding settings (--dump-config prints "key: value   # where it came from").
resolved=$("$bin" train -c "$config" --dump-config)
setting() { sed -n "s/^$1: *\([^ #]*\).*/\1/p" <<< "$resolved"; }
beam=$(setting beam-size) norm=$(setting normalize)
{
    echo "| test set | checkpoint | BLEU (cased) | BP | chrF2 | BLEU (-lc) | translate s |"
    echo "|---|---|---:|---:|---:|---:|---:|"
} > "$out/results.md"
decode_s=0
for set in test_2016_flickr test_2017_flickr test_2017_mscoco test_2018_flickr; do
    [ -s "$data/$set.$src.gz" ] && [ -s "$data/$set.$tgt.gz" ] || continue
    zcat "$data/$set.$tgt.gz" > "$out/$set.ref"
    for m in "${candidates[@]}"; do
        name=$(basename "${m%.safetensors}")
        hyp=$out/$set.$name.hyp
        t0=$(date +%s)
        zcat "$data/$set.$src.gz" | "$bin" translate -m "$m" -b "${beam:-4}" -n "${norm:-0.6}" \
            --quiet > "$hyp"
        t=$(( $(date +%s) - t0 )); decode_s=$(( decode_s + t ))
        read -r b bp < <("$bin" eval -r "$out/$set.ref" -i "$hyp" -m bleu -w 2 -f text | bleu_bp)
        c=$("$bin" eval -r "$out/$set.ref" -i "$hyp" -m chrf -w 2 -f text | chrf)
        lc=$("$bin" eval -r "$out/$set.ref" -i "$hyp" -m bleu -lc -w 2 -f text | bleu_bp | cut -d' ' -f1)
        echo "| $set | $name | $b | $bp | $c | $lc | $t |" >> "$out/results.md"
    done
done
{
    echo "train_seconds $train_s (validation and saving included)"
    echo "translate_seconds $decode_s"
    echo "machine $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) cores"
    echo "date $(date -u +%Y-%m-%dT%H:%MZ)"
} > "$out/times.txt"
cat "$out/results.md" "$out/times.txt"
