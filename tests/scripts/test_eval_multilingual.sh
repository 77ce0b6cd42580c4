#!/usr/bin/env bash
# scripts/eval-multilingual.sh end to end: a tiny two-direction model on the built-in task,
# a table row per direction with numeric scores, and the chart when gnuplot is installed.
set -euo pipefail
bin=${1:?usage: test_eval_multilingual.sh DEEPNET_BINARY}
here="$(cd "$(dirname "$0")/../.." && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$bin" generate-task -o task --train-size 300 --valid-size 10 --test-size 12 --quiet
"$bin" train --train-sets task/train.en task/train.xx --both-directions --dim-vocabs 120 \
    --enc-depth 1 --dec-depth 1 --dim-emb 32 --transformer-heads 2 --transformer-dim-ffn 32 \
    --after-batches 5 --quiet -m m.safetensors
DEEPNET="$bin" "$here/scripts/eval-multilingual.sh" m.safetensors task "en xx" out test > table.md
cat table.md
grep -Eq '^\| en-xx \| [0-9]+\.[0-9]+ \| [0-9]+\.[0-9]+ \|$' table.md
grep -Eq '^\| xx-en \| [0-9]+\.[0-9]+ \| [0-9]+\.[0-9]+ \|$' table.md
grep -q 'average' table.md
[ "$(wc -l < out/test.en-xx.xx)" -eq 12 ]
if command -v gnuplot > /dev/null; then
    [ "$(head -c 4 out/scores.png | tail -c 3)" = "PNG" ]
fi
echo "eval-multilingual: ok"
