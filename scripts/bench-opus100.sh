#!/usr/bin/env bash
# The DeepNet paper's OPUS-100 benchmark (Wang et al. 2022, section 5.3, Table 2 and
# Figure 8): trains one model config on the data of scripts/get-opus100.sh (English-centric,
# both directions), then scores every direction's test set with scripts/eval-multilingual.sh
# (sacreBLEU-compatible BLEU and chrF of `deepnet eval`) and writes
#   OUT/bleu.md    one row per direction, the X->En / En->X / overall averages, the training
#                  time, and the paper's averages at the same depth
#   OUT/bleu.tsv   direction, BLEU, chrF
#   OUT/bleu.png   BLEU and chrF per direction (gnuplot, when installed)
#   OUT/model*.safetensors, OUT/config.yml (the resolved options), OUT/train.out (the
#   training's console, reruns appended), OUT/eval/en-xx/ (eval-multilingual.sh's
#   translations, scores and its chart of the two directions of en-xx)
# Usage:
#   scripts/bench-opus100.sh [--data DIR] [--out DIR] [--config FILE] [--langs "de fr"] [--tiny] [-- TRAIN_OPTIONS]
#   e.g. scripts/get-opus100.sh data/opus100 de fr cs && scripts/bench-opus100.sh --config configs/opus100-200l.yaml
# --data DIR     the prepared data (default data/opus100): DIR/opus100.yaml and the
#                DIR/test.en-xx.{en,xx}.gz sets
# --out DIR      where the results go (default bench-opus100-<config name>)
# --config FILE  the model config (default configs/opus100-12l.yaml); DIR/opus100.yaml
#                follows it and brings the data options
# --langs LIST   the languages to evaluate (default: every en-xx pair of opus100.yaml's
#                train-sets that has a test set; an, dz, hy, mn and yo have none)
# --tiny         a tiny model (2+2 layers, d=32, 2 heads, FFN 64, 160 pieces, 40 updates of
#                500 target tokens, float32) on the CPU: a run of seconds, for tests
# -- TRAIN_OPTIONS   given to `deepnet train` last, so they override the configs
# The test sets are translated on the first GPU of the resolved devices (the CPU when none),
# with the translate defaults (beam 4, length normalisation 0.6); DEEPNET_TRANSLATE_OPTS
# adds options. DEEPNET names the binary (default build/deepnet). A rerun resumes an
# unfinished training from the state beside the model; "train s" counts this invocation.
# The paper averages over all of OPUS-100's test directions; with fewer languages the
# averages here are not directly comparable. Training failures exit 1, usage errors 2.
set -euo pipefail
unset SACREBLEU_FORMAT  # it would override `deepnet eval -f`, as in sacreBLEU; we parse text
here="$(cd "$(dirname "$0")/.." && pwd)"
bin=${DEEPNET:-$here/build/deepnet}
usage='usage: bench-opus100.sh [--data DIR] [--out DIR] [--config FILE] [--langs "de fr"] [--tiny] [-- TRAIN_OPTIONS]'
data=data/opus100 out="" config=$here/configs/opus100-12l.yaml langs="" tiny=false extra=()
while [ $# -gt 0 ]; do
    case $1 in
        --data|--out|--config|--langs)
            [ $# -ge 2 ] || { echo "$usage" >&2; exit 2; }
            case $1 in --data) data=$2 ;; --out) out=$2 ;; --config) config=$2 ;; --langs) langs=$2 ;; esac
            shift ;;
        --tiny) tiny=true ;;
        --) shift; extra=("$@"); break ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench-opus100: unknown argument '$1'" >&2; echo "$usage" >&2; exit 2 ;;
    esac
    shift
done
[ -x "$bin" ] || { echo "bench-opus100: $bin not found: build deepnet or set DEEPNET" >&2; exit 2; }
[ -f "$config" ] || { echo "bench-opus100: no config $config" >&2; exit 2; }
[ -s "$data/opus100.yaml" ] ||
    { echo "bench-opus100: no $data/opus100.yaml: prepare the data with scripts/get-opus100.sh $data LANG..." >&2; exit 2; }
[ -n "$out" ] || out=bench-opus100-$(basename "$config" .yaml)
if [ -z "$langs" ]; then
    langs=$(sed -n 's/.*train\.en-\([a-z]*\)\.en\.gz.*/\1/p' "$data/opus100.yaml" | tr '\n' ' ')
    with_test=""
    for l in $langs; do
        if [ -s "$data/test.en-$l.en.gz" ] || [ -s "$data/test.en-$l.en" ]; then with_test+="$l "; fi
    done
    langs=$with_test
fi
[ -n "${langs// /}" ] || { echo "bench-opus100: no language with a test set (DIR/test.en-xx.en.gz) in $data" >&2; exit 2; }
for l in $langs; do
    [[ $l =~ ^[a-z]{2,3}$ ]] && [ "$l" != en ] ||
        { echo "bench-opus100: '$l' in --langs is not a language code other than en" >&2; exit 2; }
    for side in en "$l"; do
        [ -s "$data/test.en-$l.$side.gz" ] || [ -s "$data/test.en-$l.$side" ] ||
            { echo "bench-opus100: no $data/test.en-$l.$side.gz (OPUS-100 has no test set for some pairs)" >&2; exit 2; }
    done
done
mkdir -p "$out"
out=$(cd "$out" && pwd)   # absolute: it goes into config files

q() { local s=${1//\\/\\\\}; printf '"%s"' "${s//\"/\\\"}"; }  # a YAML double-quoted string
now() { date +%s.%N; }
# What this script sets goes in config files: the command line (TRAIN_OPTIONS) overrides
# config files, while an option given twice on it is an error.
printf 'model: %s\nvocabs: [%s]\n' "$(q "$out/model.safetensors")" "$(q "$out/vocab.spm")" > "$out/run.yml"
args=(-c "$config" -c "$data/opus100.yaml" -c "$out/run.yml")
if $tiny; then
    printf 'enc-depth: 2\ndec-depth: 2\n' >> "$out/run.yml"
    args+=(-c "$here/configs/tiny-cpu.yaml")
fi
args+=("${extra[@]}")
"$bin" train "${args[@]}" --dump-config > "$out/config.yml" ||
    { echo "bench-opus100: deepnet train rejects the options (above)" >&2; exit 2; }
device=$(sed -n 's/^devices: \[\([0-9][0-9]*\).*/\1/p' "$out/config.yml")
enc=$(sed -n 's/^enc-depth: \([0-9]*\).*/\1/p' "$out/config.yml")
dec=$(sed -n 's/^dec-depth: \([0-9]*\).*/\1/p' "$out/config.yml")
layers=$((enc + dec))

echo "bench-opus100: training $enc+$dec layers ($(basename "$config")${device:+, GPU $device}); console in $out/train.out" >&2
echo "== bench-opus100.sh, $(date -u '+%Y-%m-%d %H:%M:%S UTC')" >> "$out/train.out"
t0=$(now) rc=0
"$bin" train "${args[@]}" >> "$out/train.out" 2>&1 || rc=$?
secs=$(awk -v a="$t0" -v b="$(now)" 'BEGIN {printf "%.1f", b - a}')
if [ "$rc" -ne 0 ]; then
    echo "bench-opus100: training failed (exit $rc); the end of $out/train.out:" >&2
    tail -n 5 "$out/train.out" >&2
    exit 1
fi
model=$out/model.best-bleu.safetensors checkpoint="best validation BLEU"
if [ ! -f "$model" ]; then
    model=$out/model.safetensors checkpoint="last"
    echo "bench-opus100: no model.best-bleu.safetensors (no BLEU validation ran): using the last model" >&2
fi

# Each en-xx test set is 2-way parallel: eval-multilingual.sh with LANGS "en xx" and PREFIX
# test.en-xx scores en->xx and xx->en.
table=$out/bleu.tsv
printf 'direction\tBLEU\tchrF\n' > "$table"
translate_opts="${device:+--devices $device} ${DEEPNET_TRANSLATE_OPTS:-}"
for l in $langs; do
    mkdir -p "$out/eval/en-$l"
    echo "bench-opus100: evaluating en-$l" >&2
    DEEPNET=$bin DEEPNET_TRANSLATE_OPTS=$translate_opts \
        "$here/scripts/eval-multilingual.sh" "$model" "$data" "en $l" "$out/eval/en-$l" "test.en-$l" \
        > "$out/eval/en-$l/table.md"
    tail -n +2 "$out/eval/en-$l/scores.tsv" >> "$table"
done

# The paper's averages at this depth (Table 2; Figure 8 read by eye, average only).
paper=""
case $layers in
    12) paper="| paper, DeepNet 12 layers (Figure 8, approx.) | | | ~25.3 |" ;;
    20) paper="| paper, DeepNet 20 layers (Figure 8, approx.) | | | ~26.6 |" ;;
    100) paper="| paper, DeepNet 100 layers (Figure 8, approx.) | | | ~30.1 |" ;;
    200) paper="| paper, DeepNet 200 layers (Table 2) | 33.2 | 29.0 | 31.1 |" ;;
    1000) paper="| paper, DeepNet 1,000 layers (Table 2) | 33.9 | 30.2 | 32.1 |" ;;
esac
{
    echo "# OPUS-100: BLEU per direction ($enc+$dec layers, $(basename "$config"))"
    echo
    # shellcheck disable=SC2086
    echo "Data: $data (scripts/get-opus100.sh), the test sets of $(printf 'en-%s, ' $langs | sed 's/, $//')."
    echo "Model: the $checkpoint checkpoint; trained in $secs s (this invocation)."
    if $tiny; then echo "**--tiny**: a tiny model on the CPU, a smoke test: the numbers mean nothing."; fi
    if [ ${#extra[@]} -gt 0 ]; then echo "Training options added: \`${extra[*]}\`."; fi
    echo
    echo "| direction | BLEU | chrF |"
    echo "|---|---:|---:|"
    tail -n +2 "$table" | awk -F'\t' '{printf "| %s | %s | %s |\n", $1, $2, $3}'
    echo
    echo "| average (BLEU) | X->En | En->X | all |"
    echo "|---|---:|---:|---:|"
    tail -n +2 "$table" | awk -F'\t' '
        $1 ~ /-en$/ {xe += $2; nxe++} $1 ~ /^en-/ {ex += $2; nex++} {all += $2; n++}
        END {printf "| deepnet | %.2f | %.2f | %.2f |\n", nxe ? xe / nxe : 0, nex ? ex / nex : 0, n ? all / n : 0}'
    if [ -n "$paper" ]; then echo "$paper"; fi
    echo
    echo "BLEU and chrF: \`deepnet eval\` (sacreBLEU-compatible, 13a, case-sensitive, detokenized),"
    echo "as the paper's sacreBLEU; its averages are over all of OPUS-100's test directions."
} > "$out/bleu.md"
cat "$out/bleu.md"

width=$(awk 'END {w = 30 * (NR - 1); print (w > 1000 ? w : 1000)}' "$table")  # 198 directions for all 99
if "$here/scripts/plot-scores.sh" "$table" "$out/bleu.png" \
        "OPUS-100, $enc+$dec layers: BLEU and chrF per direction" "$width"; then
    [ -s "$out/bleu.png" ] && echo "plot: $out/bleu.png"
else
    echo "bench-opus100: gnuplot failed: no plot" >&2
fi
