#!/usr/bin/env bash
# scripts/depth-sweep.sh --quick end to end on the built-in task, then scripts/plot-training.sh
# on one of its logs: a table row per run with numbers, the paper's first-update effect
# (Post-LN's first update moves the model output more than DeepNorm's at the same depth),
# and the PNGs when gnuplot is installed.
set -euo pipefail
bin=${1:?usage: test_depth_sweep.sh DEEPNET_BINARY}
here="$(cd "$(dirname "$0")/../.." && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$bin" generate-task -o task --train-size 2000 --valid-size 30 --test-size 10 --quiet
DEEPNET="$bin" "$here/scripts/depth-sweep.sh" --quick --data task --pair en xx --out out --vocab-size 120 > table.md
cat table.md
for row in '| post | 2+2 | 5e-4 | no |' '| post | 6+6 | 5e-4 | no |' '| deepnorm | 2+2 | 5e-4 | no |' '| deepnorm | 6+6 | 5e-4 | no |'; do
    grep -qF "$row" table.md || { echo "missing row: $row" >&2; exit 1; }
done
# Column 8 of sweep.tsv: the model update after the first update.
for depth in 2 6; do
    post=$(awk -F'\t' -v d=$depth '$1 == "post" && $2 == d {print $8}' out/sweep.tsv)
    deep=$(awk -F'\t' -v d=$depth '$1 == "deepnorm" && $2 == d {print $8}' out/sweep.tsv)
    awk -v p="$post" -v q="$deep" 'BEGIN {exit !(q > 0 && p > 2 * q)}' ||
        { echo "expected Post-LN's first model update ($post) above twice DeepNorm's ($deep) at $depth+$depth" >&2; exit 1; }
done
log=out/runs/deepnorm-6/model.safetensors.train.jsonl
# The per-depth summary of the diagnostics: a line per update with both stacks' quarters.
python3 "$here/scripts/update-norms-by-depth.py" "$log" --updates 1 20 > quarters.txt
cat quarters.txt
grep -qE '^update 1, model update [0-9.e+-]+: encoder 0-1: grad [0-9.e+-]+ upd [0-9.e+-]+ \|.*decoder 4-5: grad' quarters.txt
grep -q '^update 20, model update' quarters.txt
if command -v gnuplot > /dev/null; then
    "$here/scripts/plot-training.sh" "$log" plots
    for png in training model_update update_heatmap ln_input_heatmap; do
        [ "$(head -c 4 plots/$png.png | tail -c 3)" = "PNG" ] || { echo "plots/$png.png is not a PNG" >&2; exit 1; }
    done
    [ "$(head -c 4 out/model-update-6.png | tail -c 3)" = "PNG" ]
fi
# The learning-rate x depth grid: one row per scheme and depth, one column per learning rate,
# a loss or "diverged at N" in every cell (a learning rate of 3 makes Post-LN blow up fast).
# With --warmup 20 the rate logged at update 10 is half the peak.
DEEPNET="$bin" "$here/scripts/depth-sweep.sh" --quick --depths 2 --lrs "5e-4 3" --updates 20 --warmup 20 \
    --data task --pair en xx --out grid --vocab-size 120 > grid.out
rate=$(jq -r 'select(.type == "train" and .updates == 10) | .learn_rate' grid/runs/post-2-lr5e-4/model.safetensors.train.jsonl)
awk -v r="$rate" 'BEGIN {exit !(r > 0.000249 && r < 0.000251)}' ||
    { echo "--warmup 20: expected lr 2.5e-4 at update 10, the log says $rate" >&2; exit 1; }
grep -qF '(20 warm-up updates)' grid/sweep.md
cat grid/grid.md
grep -qF '| scheme | layers | lr 5e-4 | lr 3 |' grid/grid.md
for scheme in post deepnorm; do
    grep -qE "^\| $scheme \| 2\+2 \| [0-9.]+ \| ([0-9.]+, no progress|diverged at [0-9]+) \|$" grid/grid.md ||
        { echo "grid row of $scheme is incomplete" >&2; exit 1; }
done
[ -d grid/runs/post-2-lr3 ] && [ -d grid/runs/deepnorm-2-lr5e-4 ]
if command -v gnuplot > /dev/null; then
    [ "$(head -c 4 grid/grid-post.png | tail -c 3)" = "PNG" ]
fi
echo "depth sweep: ok"
