#!/usr/bin/env bash
# PNG plots of a training run from its JSON-lines log (`<model>.train.jsonl`):
#   training.png        loss, learning rate and gradient norm against updates (and the
#                       validation scores when the run validated)
# and, when the run logged --log-update-norms:
#   model_update.png    ||F(x, theta_t) - F(x, theta_0)|| on the probe batch against updates
#                       (the paper's Figure 3 quantity), log scale
#   update_heatmap.png  log10 of the relative update ||dW|| / ||W|| per sublayer (rows:
#                       encoder layers bottom up, then decoder layers) against measured updates
#   ln_input_heatmap.png  the RMS of each LayerNorm's input per sublayer against measured updates
# Needs jq and gnuplot (Debian: jq gnuplot-nox).
#   scripts/plot-training.sh LOG.jsonl [OUT_DIR]     (OUT_DIR defaults to the log's directory)
set -euo pipefail
log=${1:?usage: plot-training.sh LOG.jsonl [OUT_DIR]}
out=${2:-$(dirname "$log")}
[ -r "$log" ] || { echo "plot-training: cannot read $log" >&2; exit 2; }
for tool in jq gnuplot; do
    command -v $tool > /dev/null || { echo "plot-training: $tool not found (apt-get install jq gnuplot-nox)" >&2; exit 2; }
done
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Resumed runs append to the log: the last record of each update wins, in update order.
jq -r 'select(.type == "train") | [.updates, .loss, .learn_rate, .grad_norm] | @tsv' "$log" |
    sort -n -k1,1 -s | awk '{last[$1] = $0} END {for (u in last) print last[u]}' | sort -n > "$tmp/train.tsv"
jq -r 'select(.type == "valid" and .direction == "") | [.updates, .metric, .value] | @tsv' "$log" > "$tmp/valid.tsv"
[ -s "$tmp/train.tsv" ] || { echo "plot-training: $log has no training records" >&2; exit 1; }

valid_plot=""
for metric in $(cut -f2 "$tmp/valid.tsv" | sort -u); do
    awk -F'\t' -v m="$metric" '$2 == m {print $1 "\t" $3}' "$tmp/valid.tsv" > "$tmp/valid-$metric.tsv"
    valid_plot+="${valid_plot:+, }'$tmp/valid-$metric.tsv' using 1:2 with linespoints title 'valid $metric' axes x1y2"
done

gnuplot <<GP
set terminal pngcairo size 1000,900 noenhanced
set output '$out/training.png'
set multiplot layout 3,1 title '$(basename "$log")'
set xlabel 'update'
set grid
set ylabel 'loss per token'
$( [ -n "$valid_plot" ] && echo "set y2tics; set y2label 'validation'" )
plot '$tmp/train.tsv' using 1:2 with lines title 'train loss'${valid_plot:+, $valid_plot}
unset y2tics; unset y2label
set ylabel 'learning rate'
plot '$tmp/train.tsv' using 1:3 with lines title 'learning rate'
set ylabel 'gradient norm'
set logscale y
plot '$tmp/train.tsv' using 1:4 with lines title 'gradient norm'
unset multiplot
GP

if ! grep -q '"type":"update_norms"' "$log"; then
    echo "plot-training: wrote $out/training.png (no update_norms records: run with --log-update-norms N for the rest)"
    exit 0
fi
norms='select(.type == "update_norms")'
jq -r "$norms | [.updates, .model_update] | @tsv" "$log" | awk '$2 > 0' > "$tmp/model_update.tsv"
# Matrices for the heat maps: one row per sublayer, one column per measured update.
jq -r "$norms | [.groups[] | select(.name | test(\"^(en|de)coder\\\\.[0-9]+\\\\.\")) | .rel_update] | @tsv" "$log" |
    awk '{for (i = 1; i <= NF; i++) v[i, NR] = ($i > 0 ? log($i) / log(10) : -12); if (NF > rows) rows = NF; cols = NR}
         END {for (i = 1; i <= rows; i++) {line = ""; for (j = 1; j <= cols; j++) line = line (j > 1 ? " " : "") v[i, j]; print line}}' \
    > "$tmp/update.mat"
jq -r "$norms | [(.ln_input_rms.encoder + .ln_input_rms.decoder)[][]] | @tsv" "$log" |
    awk '{for (i = 1; i <= NF; i++) v[i, NR] = $i; if (NF > rows) rows = NF; cols = NR}
         END {for (i = 1; i <= rows; i++) {line = ""; for (j = 1; j <= cols; j++) line = line (j > 1 ? " " : "") v[i, j]; print line}}' \
    > "$tmp/ln.mat"

gnuplot <<GP
set terminal pngcairo size 900,600 noenhanced
set output '$out/model_update.png'
set title 'model update on the probe batch'
set xlabel 'update'
set ylabel '||F(x, theta_t) - F(x, theta_0)|| per token'
set logscale xy
set grid
plot '$tmp/model_update.tsv' using 1:2 with linespoints title '$(basename "$log")'

set output '$out/update_heatmap.png'
unset logscale
set title 'log10 relative update ||dW|| / ||W|| per sublayer'
set xlabel 'measured update (index)'
set ylabel 'sublayer (encoder bottom up, then decoder)'
set palette rgbformulae 33,13,10
plot '$tmp/update.mat' matrix with image notitle

set output '$out/ln_input_heatmap.png'
set title 'RMS of each LayerNorm input per sublayer'
plot '$tmp/ln.mat' matrix with image notitle
GP
echo "plot-training: wrote $out/training.png, model_update.png, update_heatmap.png, ln_input_heatmap.png"
