#!/usr/bin/env bash
# Do two deepnet binaries translate and score a fixed model the same, byte for byte? Trains
# two small models (deepnorm and subln: the Sub-LN path has the extra LayerNorms) on the
# built-in task with OLD, then translates 300 held-out sentences greedy, beam 4, n-best and
# in mini-batches of 7, and scores the references, with both binaries; prints same/DIFF per
# output. For restructurings that must not change numbers.
#   scripts/compare-outputs.sh OLD_BINARY NEW_BINARY [WORK_DIR]
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 1; }
old=$(realpath "$1") new=$(realpath "$2") work=${3:-$(mktemp -d)}
mkdir -p "$work" && cd "$work"
[ -f task/test.xx ] || "$old" generate-task -o task > /dev/null 2>&1
head -300 task/test.en > src.txt
head -300 task/test.xx > ref.txt
status=0
for norm in deepnorm subln; do
    if [ ! -f "m-$norm/model.safetensors" ]; then
        "$old" train --train-sets task/train.en task/train.xx --vocabs "m-$norm/vocab.spm" \
            --model "m-$norm/model.safetensors" --dim-vocabs 256 --enc-depth 2 --dec-depth 2 --dim-emb 64 \
            --transformer-heads 4 --transformer-dim-ffn 128 --transformer-norm $norm --mini-batch-words 1000 \
            --learn-rate 0.003 --lr-warmup 50 --after-batches 120 --quiet > /dev/null 2>&1
    fi
    for side in old new; do
        bin=$old; [ $side = new ] && bin=$new
        m="m-$norm/model.safetensors"
        "$bin" translate -m "$m" -i src.txt --quiet --beam-size 1 > "$side.$norm.greedy"
        "$bin" translate -m "$m" -i src.txt --quiet --beam-size 4 --n-best > "$side.$norm.nbest"
        "$bin" translate -m "$m" -i src.txt --quiet --beam-size 4 --mini-batch 7 > "$side.$norm.beam"
        "$bin" score -m "$m" -t src.txt ref.txt --quiet > "$side.$norm.score"
    done
    for kind in greedy nbest beam score; do
        if cmp -s "old.$norm.$kind" "new.$norm.$kind"; then echo "same $norm $kind ($(wc -l < "new.$norm.$kind") lines)"
        else echo "DIFF $norm $kind"; status=1; fi
    done
done
exit $status
