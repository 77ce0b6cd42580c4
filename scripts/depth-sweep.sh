#!/usr/bin/env bash
# The depth sweep of the DeepNet paper at CPU scale: trains every norm scheme at several
# depths per stack with the same seed, data order, width and learning rate, then writes
#   OUT/sweep.md            one row per run: diverged (and at which update), final training
#                           and validation loss, BLEU, the model update after 1, 10, 100 updates
#   OUT/loss-<scheme>.png   training loss against updates, one line per depth
#   OUT/model-update-<depth>.png   ||F(x, theta_t) - F(x, theta_0)|| against updates, one line
#                           per scheme (the paper's Figure 3)
#   OUT/runs/<scheme>-<depth>/   each run's model, log and console output (with several
#                           learning rates: <scheme>-<depth>-lr<X>/)
#   OUT/grid.md             with several --lrs: the learning-rate x depth grid (the paper's
#                           Figures 6/7 shape), one row per scheme and depth, the final training
#                           loss per learning rate or the update at which the run diverged
#   OUT/grid-<scheme>.png   final training loss against depth, one line per learning rate
# Usage:
#   scripts/depth-sweep.sh [--quick] [--out DIR] [--data DIR] [--pair SRC TGT]
#                          [--schemes "post pre deepnorm subln"] [--depths "6 18 50 100"]
#                          [--updates N] [--lr X | --lrs "X Y ..."] [--warmup N] [--dim D] [--heads H] [--ffn F]
#                          [--batch-words W] [--vocab-size V]
# DATA holds train.SRC / train.TGT and val.* or valid.* (plain or .gz); by default Multi30k
# en-de from scripts/get-multi30k.sh data/multi30k. --warmup: linear warm-up updates (default 0:
# the stability runs start at full rate, where the schemes differ most; longer quality runs
# want some). --quick is the smallest grid (2 schemes,
# depths 2 and 6, 40 updates, d=32) for a smoke test; `deepnet` comes from build/ or $DEEPNET.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bin=${DEEPNET:-$here/build/deepnet}
out=depth-sweep data="" src=en tgt=de
schemes="post pre deepnorm subln" depths="6 18 50 100"
updates=500 lr=5e-4 warmup=0 dim=64 heads=2 ffn=128 batch_words=2000 valid_sentences=200 norms_every=50 vocab_size=4000
while [ $# -gt 0 ]; do
    case $1 in
        --quick) schemes="post deepnorm" depths="2 6" updates=40 dim=32 ffn=64 batch_words=600
                 valid_sentences=20 norms_every=20 ;;
        --out) out=$2; shift ;;
        --data) data=$2; shift ;;
        --pair) src=$2 tgt=$3; shift 2 ;;
        --schemes) schemes=$2; shift ;;
        --depths) depths=$2; shift ;;
        --updates) updates=$2; shift ;;
        --lr) lr=$2; shift ;;
        --lrs) lrs=$2; shift ;;
        --warmup) warmup=$2; shift ;;
        --dim) dim=$2; shift ;;
        --heads) heads=$2; shift ;;
        --ffn) ffn=$2; shift ;;
        --batch-words) batch_words=$2; shift ;;
        --vocab-size) vocab_size=$2; shift ;;
        *) echo "depth-sweep: unknown argument '$1' (see the header of $0)" >&2; exit 2 ;;
    esac
    shift
done
lrs=${lrs:-$lr}
[ -x "$bin" ] || { echo "depth-sweep: $bin not found: run scripts/setup.sh or set DEEPNET" >&2; exit 2; }
for tool in jq; do
    command -v $tool > /dev/null || { echo "depth-sweep: $tool not found (apt-get install jq)" >&2; exit 2; }
done
if [ -z "$data" ]; then
    data=$here/data/multi30k
    "$here/scripts/get-multi30k.sh" "$data" > /dev/null
fi
# The first existing file among the candidates.
find_file() {
    for f in "$@"; do [ -s "$f" ] && { echo "$f"; return; }; done
    echo "depth-sweep: none of $* exists" >&2
    exit 2
}
train_src=$(find_file "$data/train.$src" "$data/train.$src.gz")
train_tgt=$(find_file "$data/train.$tgt" "$data/train.$tgt.gz")
valid_src=$(find_file "$data/val.$src" "$data/val.$src.gz" "$data/valid.$src" "$data/valid.$src.gz")
valid_tgt=$(find_file "$data/val.$tgt" "$data/val.$tgt.gz" "$data/valid.$tgt" "$data/valid.$tgt.gz")
mkdir -p "$out/runs"
vocab=$out/runs/vocab.spm  # one vocabulary for every run: the same data for all

table=$out/sweep.tsv
printf 'scheme\tdepth\tlr\tdiverged\ttrain_loss\tvalid_ce\tbleu\tupdate1\tupdate10\tupdate100\tseconds\tfirst_loss\n' > "$table"
n_lrs=$(echo $lrs | wc -w)
# A run's directory: <scheme>-<depth>, with -lr<X> when the sweep has several learning rates.
run_dir() { if [ "$n_lrs" -gt 1 ]; then echo "$out/runs/$1-$2-lr$3"; else echo "$out/runs/$1-$2"; fi; }
for scheme in $schemes; do
    for depth in $depths; do
      for lr in $lrs; do
        run=$(run_dir $scheme $depth $lr)
        rm -rf "$run"
        mkdir -p "$run"
        start=$(date +%s)
        status=0
        "$bin" train --train-sets "$train_src" "$train_tgt" --valid-sets "$valid_src" "$valid_tgt" \
            --vocabs "$vocab" --dim-vocabs "$vocab_size" -m "$run/model.safetensors" \
            --transformer-norm "$scheme" --enc-depth "$depth" --dec-depth "$depth" \
            --dim-emb "$dim" --transformer-heads "$heads" --transformer-dim-ffn "$ffn" \
            --transformer-dropout 0 --transformer-dropout-attention 0 --label-smoothing 0 \
            --learn-rate "$lr" --lr-warmup "$warmup" --mini-batch-words "$batch_words" --max-length 64 \
            --after-batches "$updates" --disp-freq 10 --valid-freq "$updates" --save-freq "$updates" \
            --valid-metrics cross-entropy bleu --valid-max-sentences "$valid_sentences" --beam-size 1 \
            --early-stopping 0 --max-skipped-updates 5 --log-update-norms "$norms_every" --recompute \
            --seed 1 --cpu-threads "$(nproc)" --quiet > "$run/console.log" 2>&1 || status=$?
        seconds=$(( $(date +%s) - start ))
        log=$run/model.safetensors.train.jsonl
        [ $status -eq 0 ] || [ $status -eq 1 ] || { echo "depth-sweep: $scheme-$depth (lr $lr) failed (exit $status), see $run/console.log" >&2; exit 1; }
        diverged=no
        if [ $status -eq 1 ]; then
            diverged="at $(jq -rs '[.[] | .updates? // empty] | max' "$log")"
        fi
        last() { jq -rs "$1" "$log"; }
        train_loss=$(last '[.[] | select(.type == "train") | .loss] | last // "-"')
        valid_ce=$(last '[.[] | select(.type == "valid" and .metric == "cross-entropy" and .direction == "") | .value] | last // "-"')
        bleu=$(last '[.[] | select(.type == "valid" and .metric == "bleu" and .direction == "") | .value] | last // "-"')
        mu() { last "[.[] | select(.type == \"update_norms\" and .updates == $1) | .model_update] | last // \"-\""; }
        first_loss=$(last '[.[] | select(.type == "train") | .loss] | first // "-"')
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$scheme" "$depth" "$lr" "$diverged" "$train_loss" \
            "$valid_ce" "$bleu" "$(mu 1)" "$(mu 10)" "$(mu 100)" "$seconds" "$first_loss" >> "$table"
        jq -r 'select(.type == "train") | [.updates, .loss] | @tsv' "$log" > "$run/loss.tsv"
        jq -r 'select(.type == "update_norms" and .model_update > 0) | [.updates, .model_update] | @tsv' "$log" \
            > "$run/model_update.tsv"
        echo "depth-sweep: $scheme $depth+$depth lr $lr: diverged $diverged, loss $train_loss, valid ce $valid_ce, bleu $bleu (${seconds}s)" >&2
      done
    done
done

{
    echo "# Depth sweep ($(date -u +%Y-%m-%d), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))"
    echo
    echo "d=$dim, $heads heads, FFN $ffn, learning rate $lrs ($([ "$warmup" = 0 ] && echo "without warm-up" || echo "$warmup warm-up updates")), $updates updates of $batch_words"
    echo "target tokens, no dropout or label smoothing, seed 1; data: $train_src."
    echo "Model update: ||F(x, theta_t) - F(x, theta_0)|| per token on a fixed probe batch (--log-update-norms)."
    echo
    echo "| scheme | layers | lr | diverged | train loss | valid CE | BLEU | model update @1 | @10 | @100 | seconds |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
    tail -n +2 "$table" | awk -F'\t' '{printf "| %s | %s+%s |", $1, $2, $2; for (i = 3; i < NF; i++) printf " %s |", $i; print ""}'
} > "$out/sweep.md"

if [ "$n_lrs" -gt 1 ]; then
    # The grid: final training loss per learning rate; "no progress" when it ended at or above
    # the first logged loss; "diverged at N" when training stopped on non-finite losses.
    {
        echo "| scheme | layers |$(for lr in $lrs; do printf ' lr %s |' $lr; done)"
        echo "|---|---|$(for lr in $lrs; do printf -- '---|'; done)"
        for scheme in $schemes; do
            for depth in $depths; do
                printf '| %s | %s+%s |' $scheme $depth $depth
                for lr in $lrs; do
                    awk -F'\t' -v s=$scheme -v d=$depth -v l=$lr '$1 == s && $2 == d && $3 == l {
                        if ($4 != "no") printf " diverged %s |", $4
                        else if ($5 + 0 >= $12 + 0) printf " %s, no progress |", $5
                        else printf " %s |", $5 }' "$table"
                done
                echo
            done
        done
    } > "$out/grid.md"
fi

if command -v gnuplot > /dev/null; then
    for scheme in $schemes; do
        plots=""
        for depth in $depths; do
            for lr in $lrs; do
                run=$(run_dir $scheme $depth $lr) title="$depth+$depth"
                [ "$n_lrs" -gt 1 ] && title+=" lr $lr"
                [ -s "$run/loss.tsv" ] && plots+="${plots:+, }'$run/loss.tsv' using 1:2 with lines title '$title'"
            done
        done
        [ -n "$plots" ] && gnuplot -e "set terminal pngcairo size 900,600 noenhanced; set output '$out/loss-$scheme.png';
            set title '$scheme: training loss'; set xlabel 'update'; set ylabel 'loss per token'; set grid; plot $plots"
    done
    for depth in $depths; do
        plots=""
        for scheme in $schemes; do
            for lr in $lrs; do
                run=$(run_dir $scheme $depth $lr) title=$scheme
                [ "$n_lrs" -gt 1 ] && title+=" lr $lr"
                [ -s "$run/model_update.tsv" ] &&
                    plots+="${plots:+, }'$run/model_update.tsv' using 1:2 with linespoints title '$title'"
            done
        done
        [ -n "$plots" ] && gnuplot -e "set terminal pngcairo size 900,600 noenhanced; set output '$out/model-update-$depth.png';
            set title 'model update, $depth+$depth layers'; set xlabel 'update'; set ylabel '||F(x,theta_t) - F(x,theta_0)||';
            set logscale xy; set grid; plot $plots"
    done
    if [ "$n_lrs" -gt 1 ]; then
        # Final training loss against depth, one line per learning rate (diverged runs left out).
        for scheme in $schemes; do
            plots=""
            for lr in $lrs; do
                awk -F'\t' -v s=$scheme -v l=$lr '$1 == s && $3 == l && $4 == "no" {print $2 "\t" $5}' "$table" \
                    > "$out/runs/grid-$scheme-$lr.tsv"
                [ -s "$out/runs/grid-$scheme-$lr.tsv" ] &&
                    plots+="${plots:+, }'$out/runs/grid-$scheme-$lr.tsv' using 1:2 with linespoints title 'lr $lr'"
            done
            [ -n "$plots" ] && gnuplot -e "set terminal pngcairo size 900,600 noenhanced; set output '$out/grid-$scheme.png';
                set title '$scheme: final training loss (diverged runs missing)'; set xlabel 'layers per stack';
                set ylabel 'loss per token'; set logscale x; set grid; plot $plots"
        done
    fi
else
    echo "depth-sweep: gnuplot not found (apt-get install gnuplot-nox): no plots drawn" >&2
fi
cat "$out/sweep.md"
[ "$n_lrs" -le 1 ] || { echo; cat "$out/grid.md"; }
