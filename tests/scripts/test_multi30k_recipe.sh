#!/usr/bin/env bash
# scripts/multi30k-recipe.sh --quick end to end on a Multi30k-shaped directory made from the
# built-in task (train/val/test_2016_flickr as gzip files): it trains, averages the kept
# checkpoints, translates the test set with each checkpoint and writes the results table.
set -euo pipefail
bin=${1:?usage: test_multi30k_recipe.sh DEEPNET_BINARY}
here="$(cd "$(dirname "$0")/../.." && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$bin" generate-task -o task --train-size 2000 --valid-size 60 --test-size 40 --quiet
mkdir data
for split in train valid:val test:test_2016_flickr; do
    from=${split%%:*} to=${split#*:}
    gzip -c task/$from.en > data/$to.en.gz
    gzip -c task/$from.xx > data/$to.de.gz
done
DEEPNET="$bin" "$here/scripts/multi30k-recipe.sh" --quick --data data --out out --average 3 \
    > recipe.out 2> recipe.err || { cat recipe.err >&2; exit 1; }
cat out/results.md
# One row per checkpoint (last, best by validation BLEU, average of the last 3), numbers in
# every score column.
for name in model model.best-bleu model.avg3; do
    grep -qE "^\| test_2016_flickr \| $name \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9]+ \|$" out/results.md ||
        { echo "no complete row for $name in results.md" >&2; exit 1; }
done
# The last checkpoint translates something (40 updates: a few right characters, not BLEU).
awk -F'|' '$3 ~ /^ model $/ {exit !($6 + 0 > 0)}' out/results.md ||
    { echo "the last checkpoint's chrF is 0: did translation produce anything?" >&2; exit 1; }
grep -q '^train_seconds [0-9]' out/times.txt
# A rerun resumes nothing (the run is finished) and rewrites the same table.
cp out/results.md first.md
DEEPNET="$bin" "$here/scripts/multi30k-recipe.sh" --quick --data data --out out --average 3 > /dev/null 2>&1
cut -d'|' -f2-6 first.md > a; cut -d'|' -f2-6 out/results.md > b
cmp -s a b || { echo "a rerun changed the scores:" >&2; diff a b >&2; exit 1; }
echo "multi30k recipe: ok"
