#!/usr/bin/env bash
# The DeepNet paper's WMT-17 En-De depth benchmark (Wang et al. 2022, Table 1, the DeepNet
# row: 27.8 / 28.8 / 29.0 / 28.9 BLEU at 6L-6L / 18L-18L / 50L-50L / 100L-100L): for each
# depth, trains configs/wmt17-ende-<D>l.yaml on the data of scripts/get-wmt17-ende.sh,
# translates newstest2014 with the checkpoint of the best validation BLEU, scores it with
# `deepnet eval` (sacreBLEU-compatible BLEU and chrF) and writes
#   OUT/bleu.md    depth, BLEU, chrF, training seconds, beside the paper's DeepNet column
#   OUT/bleu.tsv   the same, tab-separated
#   OUT/bleu.png   BLEU against depth, ours beside the paper's (gnuplot, when installed)
#   OUT/<D>l/      per depth: model*.safetensors, config.yml (the resolved options),
#                  train.out (the training's console, reruns appended), test.de (the
#                  translation of newstest2014), test.eval.txt (deepnet eval's output)
# Usage:
#   scripts/bench-wmt17.sh [--data DIR] [--out DIR] [--depths "6 18 50 100"] [--tiny] [-- TRAIN_OPTIONS]
#   e.g. scripts/get-wmt17-ende.sh data/wmt17 && scripts/bench-wmt17.sh --depths "6 18"
# --data DIR     the prepared data (default data/wmt17): DIR/wmt17.yaml, DIR/test.{en,de}.gz
# --out DIR      where the results go (default bench-wmt17)
# --depths LIST  layers per side (encoder = decoder), default "6 18 50 100"; a depth without
#                its configs/wmt17-ende-<D>l.yaml gets the 6-layer one with
#                --enc-depth D --dec-depth D (the configs differ only in depth, model path
#                and memory settings)
# --tiny         a tiny model (d=32, 2 heads, FFN 64, 160 pieces, 40 updates of 500 target
#                tokens, float32) on the CPU: a run of seconds, for tests
# -- TRAIN_OPTIONS   given to every `deepnet train` last, so they override the configs, e.g.
#                -- --after-batches 20000   or   -- --devices 1
# The joint SentencePiece vocabulary is trained once, by the first depth, as OUT/vocab.spm
# and shared by the others. A rerun resumes unfinished training (deepnet train continues
# from the state beside the model); "train s" is the training time of this invocation.
# The test set is translated on the first GPU of the resolved devices (the CPU when none)
# with the translate defaults (beam 4, length normalisation 0.6); DEEPNET_TRANSLATE_OPTS
# adds options. DEEPNET names the binary (default build/deepnet).
# BLEU here is sacreBLEU's (13a tokenization of the detokenized output, case-sensitive);
# the paper's is fairseq's on its Moses-tokenized text, so the two columns are not directly
# comparable. A depth whose training fails (e.g. diverges) is marked in the table, the
# others still run, and the script exits 1 at the end (usage errors exit 2).
set -euo pipefail
unset SACREBLEU_FORMAT  # it would override `deepnet eval -f`, as in sacreBLEU; we parse text
here="$(cd "$(dirname "$0")/.." && pwd)"
bin=${DEEPNET:-$here/build/deepnet}
usage='usage: bench-wmt17.sh [--data DIR] [--out DIR] [--depths "6 18 50 100"] [--tiny] [-- TRAIN_OPTIONS]'
data=data/wmt17 out=bench-wmt17 depths="6 18 50 100" tiny=false extra=()
while [ $# -gt 0 ]; do
    case $1 in
        --data|--out|--depths)
            [ $# -ge 2 ] || { echo "$usage" >&2; exit 2; }
            case $1 in --data) data=$2 ;; --out) out=$2 ;; --depths) depths=$2 ;; esac
            shift ;;
        --tiny) tiny=true ;;
        --) shift; extra=("$@"); break ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench-wmt17: unknown argument '$1'" >&2; echo "$usage" >&2; exit 2 ;;
    esac
    shift
done
[ -x "$bin" ] || { echo "bench-wmt17: $bin not found: build deepnet or set DEEPNET" >&2; exit 2; }
[ -n "${depths// /}" ] || { echo "bench-wmt17: --depths is empty" >&2; exit 2; }
for d in $depths; do
    [[ $d =~ ^[1-9][0-9]*$ ]] && [ "$d" -le 1000 ] ||
        { echo "bench-wmt17: '$d' in --depths is not a number of layers (1 to 1000)" >&2; exit 2; }
done
for f in wmt17.yaml test.en.gz test.de.gz; do
    [ -s "$data/$f" ] || { echo "bench-wmt17: no $data/$f: prepare the data with scripts/get-wmt17-ende.sh $data" >&2; exit 2; }
done
mkdir -p "$out"
out=$(cd "$out" && pwd)   # absolute: it goes into config files

# The paper's DeepNet BLEU (Table 1) at the depths it reports.
paper_bleu() { case $1 in 6) echo 27.8 ;; 18) echo 28.8 ;; 50) echo 29.0 ;; 100) echo 28.9 ;; *) echo - ;; esac; }
q() { local s=${1//\\/\\\\}; printf '"%s"' "${s//\"/\\\"}"; }  # a YAML double-quoted string
# seconds since the epoch, with decimals
now() { date +%s.%N; }

table=$out/bleu.tsv
printf 'depth\tBLEU\tchrF\ttrain_s\tpaper_BLEU\tcheckpoint\tstatus\n' > "$table"
failed=0 signature=""
for d in $depths; do
    run=$out/${d}l
    mkdir -p "$run"
    config=$here/configs/wmt17-ende-${d}l.yaml
    [ -f "$config" ] || config=$here/configs/wmt17-ende-6l.yaml
    # What this script sets goes in config files too: the command line (TRAIN_OPTIONS)
    # overrides config files, while an option given twice on it is an error.
    printf 'enc-depth: %s\ndec-depth: %s\nmodel: %s\nvocabs: [%s]\n' "$d" "$d" \
        "$(q "$run/model.safetensors")" "$(q "$out/vocab.spm")" > "$run/run.yml"
    args=(-c "$config" -c "$data/wmt17.yaml" -c "$run/run.yml")
    # --tiny: a config file rather than flags, so that TRAIN_OPTIONS can still override it.
    if $tiny; then args+=(-c "$here/configs/tiny-cpu.yaml"); fi
    args+=("${extra[@]}")
    # The resolved options: kept for the record, and where the devices come from.
    "$bin" train "${args[@]}" --dump-config > "$run/config.yml" ||
        { echo "bench-wmt17: deepnet train rejects the options of ${d}L-${d}L (above)" >&2; exit 2; }
    device=$(sed -n 's/^devices: \[\([0-9][0-9]*\).*/\1/p' "$run/config.yml")
    echo "bench-wmt17: training ${d}L-${d}L ($(basename "$config")${device:+, GPU $device}); console in $run/train.out" >&2
    echo "== bench-wmt17.sh, $(date -u '+%Y-%m-%d %H:%M:%S UTC')" >> "$run/train.out"
    t0=$(now) rc=0
    "$bin" train "${args[@]}" >> "$run/train.out" 2>&1 || rc=$?
    secs=$(awk -v a="$t0" -v b="$(now)" 'BEGIN {printf "%.1f", b - a}')
    if [ "$rc" -ne 0 ]; then
        echo "bench-wmt17: training ${d}L-${d}L failed (exit $rc); the end of $run/train.out:" >&2
        tail -n 5 "$run/train.out" >&2
        printf '%s\t-\t-\t%s\t%s\t-\ttraining failed (exit %s)\n' "$d" "$secs" "$(paper_bleu "$d")" "$rc" >> "$table"
        failed=1
        continue
    fi
    model=$run/model.best-bleu.safetensors checkpoint=best-bleu
    if [ ! -f "$model" ]; then
        model=$run/model.safetensors checkpoint=last
        echo "bench-wmt17: no $run/model.best-bleu.safetensors (no BLEU validation ran): using the last model" >&2
    fi
    # shellcheck disable=SC2086
    if ! "$bin" translate -m "$model" -i "$data/test.en.gz" -o "$run/test.de" --quiet \
        ${device:+--devices $device} ${DEEPNET_TRANSLATE_OPTS:-}; then
        echo "bench-wmt17: translating newstest2014 with $model failed (above)" >&2
        printf '%s\t-\t-\t%s\t%s\t%s\ttranslation failed\n' "$d" "$secs" "$(paper_bleu "$d")" "$checkpoint" >> "$table"
        failed=1
        continue
    fi
    "$bin" eval -r "$data/test.de.gz" -i "$run/test.de" -m bleu chrf -f text > "$run/test.eval.txt"
    # "BLEU|nrefs:1|...|version:2.4.0 = 27.3 58.1/33.0/... (BP = ...)" and "chrF2|... = 57.9"
    bleu=$(awk -F' = ' '$1 ~ /^ *BLEU\|/ {split($2, v, " "); print v[1]}' "$run/test.eval.txt")
    chrf=$(awk -F' = ' '$1 ~ /^ *chrF[0-9+]*\|/ {split($2, v, " "); print v[1]}' "$run/test.eval.txt")
    [ -n "$bleu" ] && [ -n "$chrf" ] || { cat "$run/test.eval.txt" >&2; echo "bench-wmt17: cannot read BLEU and chrF from $run/test.eval.txt" >&2; exit 1; }
    signature=$(sed 's/^ *//; s/ = .*//' "$run/test.eval.txt")
    printf '%s\t%s\t%s\t%s\t%s\t%s\tok\n' "$d" "$bleu" "$chrf" "$secs" "$(paper_bleu "$d")" "$checkpoint" >> "$table"
    echo "bench-wmt17: ${d}L-${d}L: BLEU $bleu, chrF $chrf, trained in ${secs} s" >&2
done

{
    echo "# WMT-17 En-De: BLEU against depth (newstest2014)"
    echo
    echo "Data: $data (scripts/get-wmt17-ende.sh); test newstest2014, $(gzip -dc "$data/test.en.gz" | wc -l) sentences."
    if $tiny; then echo "**--tiny**: a tiny model on the CPU, a smoke test: the numbers mean nothing."; fi
    if [ ${#extra[@]} -gt 0 ]; then echo "Training options added: \`${extra[*]}\`."; fi
    echo
    echo "| layers (enc+dec) | BLEU | chrF | train s | paper DeepNet BLEU | checkpoint | status |"
    echo "|---|---:|---:|---:|---:|---|---|"
    tail -n +2 "$table" | awk -F'\t' '{printf "| %s+%s | %s | %s | %s | %s | %s | %s |\n", $1, $1, $2, $3, $4, $5, $6, $7}'
    echo
    echo "Ours: \`deepnet eval\` (sacreBLEU-compatible) of the detokenized output against the raw"
    echo "reference; the paper's (Wang et al. 2022, Table 1): fairseq's BLEU on its Moses-tokenized"
    echo "text, after training on 128 GPUs. The two are not directly comparable."
    if [ -n "$signature" ]; then printf '\n```\n%s\n```\n' "$signature"; fi
} > "$out/bleu.md"
cat "$out/bleu.md"

if ! awk -F'\t' 'NR > 1 && $2 != "-" {found = 1} END {exit !found}' "$table"; then
    echo "bench-wmt17: no BLEU to plot" >&2
elif command -v gnuplot > /dev/null; then
    series='"'"$table"'" every ::1 using 2:xtic(1) title "deepnet (sacreBLEU)"'
    if awk -F'\t' 'NR > 1 && $5 != "-" {found = 1} END {exit !found}' "$table"; then
        series+=', "" every ::1 using 5 title "paper, DeepNet (fairseq BLEU)"'
    fi
    gnuplot <<GP || echo "bench-wmt17: gnuplot failed: no plot" >&2
set terminal pngcairo size 800,500 noenhanced
set output "$out/bleu.png"
set title "WMT-17 En-De, newstest2014: BLEU against depth"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set datafile separator "\t"
set datafile missing "-"
set key below
set yrange [0:*]
set xlabel "layers per side (encoder = decoder)"
set ylabel "BLEU"
plot $series
GP
    echo "plot: $out/bleu.png"
else
    echo "bench-wmt17: gnuplot not found (apt-get install gnuplot-nox): no plot drawn" >&2
fi
exit $failed
