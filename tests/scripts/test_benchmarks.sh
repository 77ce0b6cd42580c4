#!/usr/bin/env bash
# scripts/bench-wmt17.sh --tiny and scripts/bench-opus100.sh --tiny end to end on the CPU, on
# tiny slices of the built-in task laid out as the upstream files of get-wmt17-ende.sh and
# get-opus100.sh (--source, no network): the tables with numbers in them, the PNGs, the
# translations, the resolved options (the paper configs underneath, TRAIN_OPTIONS on top),
# a failed training marked in the table, and the usage errors.
#   test_benchmarks.sh DEEPNET_BINARY
set -euo pipefail
bin=$(realpath "${1:?usage: test_benchmarks.sh DEEPNET_BINARY}")
here="$(cd "$(dirname "$0")/../.." && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export DEEPNET=$bin

fail() { echo "FAILED: $*" >&2; exit 1; }
is_png() { [ "$(head -c 4 "$1" | tail -c 3)" = "PNG" ]; }
# expect_error CODE PATTERN -- command...: that exit code and PATTERN in its stderr.
expect_error() {
    local code=$1 pattern=$2 rc=0
    shift 3
    "$@" > out.txt 2> err.txt || rc=$?
    [ "$rc" -eq "$code" ] || { cat err.txt >&2; fail "$* exited $rc, want $code"; }
    grep -Eq -- "$pattern" err.txt || { cat err.txt >&2; fail "$*: no '$pattern' in its message"; }
}
num='[0-9]+\.[0-9]'

# The paper configs: each one resolves, with its depth and the paper's batch and learning rate.
for d in 6 18 50 100; do
    c=$here/configs/wmt17-ende-${d}l.yaml
    "$bin" train -c "$c" --dump-config > dump.yml 2> dump.err || { cat dump.err >&2; fail "$c does not resolve"; }
    for want in "enc-depth: $d" "dec-depth: $d" "learn-rate: 0.0015" "optimizer-delay: 128" "mini-batch-words: 4096" \
        "after-batches: 100000" "transformer-dropout: 0.4" "clip-norm: 0" "precision: \[bfloat16, float32\]"; do
        grep -Eq "^$want( |$)" dump.yml || fail "$c: no '$want' in --dump-config"
    done
    "$bin" train -c "$c" --dump-memory > /dev/null 2>&1 || fail "$c: --dump-memory failed"
done
for layers in 12:6 200:100; do
    c=$here/configs/opus100-${layers%%:*}l.yaml
    "$bin" train -c "$c" --dump-config > dump.yml 2> dump.err || { cat dump.err >&2; fail "$c does not resolve"; }
    for want in "enc-depth: ${layers#*:}" "dec-depth: ${layers#*:}" "learn-rate: 0.0005" "optimizer-delay: 128" "after-epochs: 4"; do
        grep -Eq "^$want( |$)" dump.yml || fail "$c: no '$want' in --dump-config"
    done
    "$bin" train -c "$c" --dump-memory > /dev/null 2>&1 || fail "$c: --dump-memory failed"
done

"$bin" generate-task -o task --train-size 300 --valid-size 20 --test-size 20 --quiet

# WMT-17: the task's en/xx as fairseq's unpacked orig/ tree (xx plays German).
up=$work/wmt-up
mkdir -p "$up/training" "$up/dev" "$up/test-full"
for l in en de; do
    s=$l
    [ $l = de ] && s=xx
    head -n 100 task/train.$s > "$up/training/europarl-v7.de-en.$l"
    sed -n 101,200p task/train.$s > "$up/commoncrawl.de-en.$l"
    sed -n '201,$p' task/train.$s > "$up/training/news-commentary-v12.de-en.$l"
    cp task/valid.$s "$up/dev/newstest2013.$l"
    f=src.en
    [ $l = de ] && f=ref.de
    {
        echo '<srcset setid="newstest2014" srclang="any">'
        echo '<doc sysid="ref" docid="1" genre="news" origlang="en">'
        awk '{printf "<seg id=\"%d\">%s</seg>\n", NR, $0}' task/test.$s
        echo '</doc>'
        echo '</srcset>'
    } > "$up/test-full/newstest2014-deen-$f.sgm"
done
"$here/scripts/get-wmt17-ende.sh" wmt --source "$up" > /dev/null 2>&1

"$here/scripts/bench-wmt17.sh" --data wmt --out bw --depths 2 --tiny -- --after-batches 30 > bw.txt 2> bw.err ||
    { cat bw.err >&2; fail "bench-wmt17.sh --tiny failed"; }
grep -Eq "^\| 2\+2 \| $num \| $num \| $num \| - \| best-bleu \| ok \|$" bw/bleu.md ||
    { cat bw/bleu.md >&2; fail "bw/bleu.md has no 2+2 row with BLEU, chrF and seconds"; }
grep -q '^| 2+2 | ' bw.txt || fail "bench-wmt17.sh did not print its table"
[ "$(awk -F'\t' 'NR == 2 {print $1}' bw/bleu.tsv)" = 2 ] || fail "bw/bleu.tsv has no depth-2 row"
[ "$(wc -l < bw/2l/test.de)" -eq 20 ] || fail "bw/2l/test.de is not the 20 test sentences translated"
grep -q '^BLEU|nrefs:1|.*= ' <(sed 's/^ *//' bw/2l/test.eval.txt) || fail "bw/2l/test.eval.txt is not deepnet eval's text output"
c=bw/2l/config.yml
grep -Eq "^transformer-dropout: 0.4 .*configs/wmt17-ende-6l.yaml" $c || fail "the 6-layer paper config is not underneath: $(grep dropout $c)"
grep -Eq '^enc-depth: 2 ' $c && grep -Eq '^dec-depth: 2 ' $c || fail "depth 2 not set in $c"
grep -Eq '^devices: \[\] ' $c || fail "--tiny does not train on the CPU: $(grep devices $c)"
grep -Eq '^after-batches: 30 .*the command line' $c || fail "TRAIN_OPTIONS do not override: $(grep after-batches $c)"
grep -Eq "^train-sets: \[$work/wmt/train.en.gz" $c || fail "the data config is not used: $(grep train-sets $c)"
[ -s bw/vocab.spm ] || fail "the shared vocabulary bw/vocab.spm was not written"
if command -v gnuplot > /dev/null; then is_png bw/bleu.png || fail "bw/bleu.png is not a PNG"; fi
# A failed training is a row of the table, and exit 1.
expect_error 1 "training 2L-2L failed" -- \
    "$here/scripts/bench-wmt17.sh" --data wmt --out bw-bad --depths 2 --tiny -- --train-sets "$work/nowhere.en" "$work/nowhere.de"
grep -Eq '^\| 2\+2 \| - \| - \| .* \| training failed \(exit [0-9]+\) \|$' bw-bad/bleu.md || fail "no failed row in bw-bad/bleu.md"
expect_error 2 "no nowhere/wmt17.yaml" -- "$here/scripts/bench-wmt17.sh" --data nowhere --tiny
expect_error 2 "'x' in --depths is not a number" -- "$here/scripts/bench-wmt17.sh" --data wmt --depths "2 x" --tiny
expect_error 2 "unknown argument '--bogus'" -- "$here/scripts/bench-wmt17.sh" --bogus

# OPUS-100: the task as two en-xx pairs of the unpacked release (de-en and en-fr).
for pair in de-en en-fr; do
    x=${pair/en/}
    x=${x/-/}
    u=$work/opus-up/opus-100-corpus/v1.0/supervised/$pair
    mkdir -p "$u"
    for split in train:train dev:valid test:test; do
        cp "task/${split#*:}.en" "$u/opus.$pair-${split%%:*}.en"
        cp "task/${split#*:}.xx" "$u/opus.$pair-${split%%:*}.$x"
    done
done
"$here/scripts/get-opus100.sh" opus de fr --source "$work/opus-up" > /dev/null

"$here/scripts/bench-opus100.sh" --data opus --out bo --tiny > bo.txt 2> bo.err ||
    { cat bo.err >&2; fail "bench-opus100.sh --tiny failed"; }
for dir in en-de de-en en-fr fr-en; do
    grep -Eq "^\| $dir \| $num \| $num \|$" bo/bleu.md || { cat bo/bleu.md >&2; fail "bo/bleu.md has no $dir row with numbers"; }
done
grep -Eq "^\| deepnet \| $num+ \| $num+ \| $num+ \|$" bo/bleu.md || fail "bo/bleu.md has no average row"
grep -q '| paper, DeepNet 12 layers' bo/bleu.md && fail "bo/bleu.md compares a 2+2 model with the paper's 12 layers"
[ "$(tail -n +2 bo/bleu.tsv | wc -l)" -eq 4 ] || fail "bo/bleu.tsv is not 4 directions"
[ "$(wc -l < bo/eval/en-fr/test.en-fr.fr-en.en)" -eq 20 ] || fail "fr->en was not translated"
grep -Eq '^transformer-heads: 2 ' bo/config.yml || fail "--tiny does not set the tiny model"
grep -Eq '^learn-rate: 0.005 ' bo/config.yml || fail "--tiny does not override the config"
grep -Eq '^both-directions: true .*opus/opus100.yaml' bo/config.yml || fail "opus100.yaml is not used"
grep -Eq '^transformer-dropout: 0.1 .*configs/opus100-12l.yaml' bo/config.yml || fail "configs/opus100-12l.yaml is not underneath"
if command -v gnuplot > /dev/null; then
    is_png bo/bleu.png || fail "bo/bleu.png is not a PNG"
    is_png bo/eval/en-de/scores.png || fail "eval-multilingual.sh drew no chart"
fi
# Only languages with a test set; --langs picks.
"$here/scripts/bench-opus100.sh" --data opus --out bo-de --langs de --tiny -- --after-batches 10 > /dev/null 2>&1 ||
    fail "bench-opus100.sh --langs de failed"
[ "$(tail -n +2 bo-de/bleu.tsv | cut -f1 | tr '\n' ' ')" = "en-de de-en " ] || fail "--langs de did not evaluate en-de alone"
expect_error 2 "no opus/test.en-yo.en.gz" -- "$here/scripts/bench-opus100.sh" --data opus --langs yo --tiny
expect_error 2 "no nowhere/opus100.yaml" -- "$here/scripts/bench-opus100.sh" --data nowhere --tiny
expect_error 2 "no config" -- "$here/scripts/bench-opus100.sh" --data opus --config nowhere.yaml
echo "benchmarks: ok"
