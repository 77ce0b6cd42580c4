#!/usr/bin/env bash
# The built-in default run (README's first command, after scripts/setup.sh): write the
# generated translation task, train a small DeepNorm model on it (configs/demo.yaml, a few
# minutes on 2 CPU cores), report BLEU/chrF on the held-out test set and translate examples.
# Everything goes to demo/. Running it again resumes or reuses the trained model.
set -euo pipefail
unset SACREBLEU_FORMAT  # it would override `deepnet eval -f`, as in sacreBLEU; the demo shows text
cd "$(dirname "$0")/.."
bin=build/deepnet
[ -x $bin ] || { echo "demo: build/deepnet is missing: run scripts/setup.sh first" >&2; exit 1; }

[ -f demo/task/test.xx ] || $bin generate-task -o demo/task
$bin train -c configs/demo.yaml

echo "== BLEU and chrF on the 500 held-out test sentences (beam 4)"
$bin translate -m demo/model.safetensors -i demo/task/test.en -o demo/test.hyp --quiet
$bin eval -r demo/task/test.xx -i demo/test.hyp --force  # the task is tokenized text by design

echo "== Example translations"
printf '%s\n' "The old king reads a letter ." \
              "A small girl often paints the green door and the teacher loses a ball ." \
              "The happy horse follows the dark river ." |
    $bin translate -m demo/model.safetensors --quiet | sed 's/^/  /'
