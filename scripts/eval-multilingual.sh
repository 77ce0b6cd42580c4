#!/usr/bin/env bash
# Per-direction evaluation of a multilingual model on a multi-way parallel test set:
# translates every direction between LANGS, scores each with `deepnet eval` (BLEU, chrF),
# prints a markdown table and draws a bar chart (PNG, gnuplot).
#   scripts/eval-multilingual.sh MODEL DATA_DIR [LANGS] [OUT_DIR] [PREFIX]
#   e.g. scripts/eval-multilingual.sh models/multi30k-multi/model.safetensors data/multi30k "en de fr cs"
# DATA_DIR holds PREFIX.XX or PREFIX.XX.gz for every language (PREFIX default test_2016_flickr).
# Extra translate options can be passed in DEEPNET_TRANSLATE_OPTS (e.g. "--beam-size 1").
set -euo pipefail
unset SACREBLEU_FORMAT  # it would override `deepnet eval -f`, as in sacreBLEU; we parse text
here="$(cd "$(dirname "$0")/.." && pwd)"
model=${1:?usage: eval-multilingual.sh MODEL DATA_DIR [LANGS] [OUT_DIR] [PREFIX]}
data=${2:?usage: eval-multilingual.sh MODEL DATA_DIR [LANGS] [OUT_DIR] [PREFIX]}
langs=${3:-"en de fr cs"}
out=${4:-eval-$(basename "$model" .safetensors)}
prefix=${5:-test_2016_flickr}
bin=${DEEPNET:-$here/build/deepnet}
mkdir -p "$out"

text() {  # text LANG -> path of the plain-text test file
    local f="$data/$prefix.$1"
    if [ -f "$f" ]; then echo "$f"; return; fi
    [ -f "$f.gz" ] || { echo "eval-multilingual: no $f or $f.gz" >&2; exit 1; }
    zcat "$f.gz" > "$out/$prefix.$1"
    echo "$out/$prefix.$1"
}

table="$out/scores.tsv"
printf "direction\tBLEU\tchrF\n" > "$table"
for s in $langs; do
    for t in $langs; do
        [ "$s" = "$t" ] && continue
        hyp="$out/$prefix.$s-$t.$t"
        # shellcheck disable=SC2086
        "$bin" translate -m "$model" -i "$(text "$s")" -o "$hyp" --target-lang "$t" --quiet ${DEEPNET_TRANSLATE_OPTS:-}
        scores=$("$bin" eval -r "$(text "$t")" -i "$hyp" -b -m bleu chrf | paste -sd' ')
        printf "%s-%s\t%s\t%s\n" "$s" "$t" "${scores% *}" "${scores#* }" >> "$table"
    done
done

echo "| direction | BLEU | chrF |"
echo "|---|---:|---:|"
tail -n +2 "$table" | awk -F'\t' '{printf "| %s | %s | %s |\n", $1, $2, $3; b += $2; c += $3; n++}
    END {if (n) printf "| **average** | **%.2f** | **%.2f** |\n", b / n, c / n}'

"$here/scripts/plot-scores.sh" "$table" "$out/scores.png" \
    "$(basename "$model"): $prefix, BLEU and chrF per direction"
[ -s "$out/scores.png" ] && echo "chart: $out/scores.png"
