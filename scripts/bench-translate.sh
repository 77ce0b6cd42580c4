#!/usr/bin/env bash
# Translation throughput, DeepNet vs PyTorch: `build/deepnet translate` and
# tests/bench/peer_pytorch_translate.py (the same beam search on the same model file and
# SentencePiece vocabulary, eager PyTorch with cached keys/values), beam 1 and 4,
# mini-batch 32, alternately on the same machine in the same run. Prints sentences/s and
# target tokens/s of the translation (model loading excluded), process wall time and peak
# RSS (/usr/bin/time), the ratio, and how many output lines are identical.
#   scripts/bench-translate.sh MODEL [FILE]
# FILE: raw source text; default the Multi30k test_2016_flickr source side (English),
# decompressed from $MULTI30K_DIR (default ../shared/data/multi30k).
# Environment: THREADS (2), NICE (10), BEAMS ("1 4"), ROUNDS (1), WAIT_POLICY (both
# sides: SPIN3000 = GOMP_SPINCOUNT=3000 as DeepNet by default, PASSIVE, ACTIVE, "default" = unset), OPENBLAS_CORETYPE (chosen
# as src/core/blas_setup.cpp does), PYTHON (/usr/bin/python3 with python3-torch and
# python3-sentencepiece), KEEP=1 keeps the outputs.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 1 ]; then
    sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
    exit 1
fi
model=$1
threads=${THREADS:-2}
nice_level=${NICE:-10}
beams=${BEAMS:-1 4}
rounds=${ROUNDS:-1}
python=${PYTHON:-/usr/bin/python3}
deepnet=build/deepnet
out=$(mktemp -d)
if [ $# -ge 2 ]; then
    input=$2
else
    data=${MULTI30K_DIR:-../shared/data/multi30k}
    input=$out/test_2016_flickr.en
    gzip -dc "$data/test_2016_flickr.en.gz" >"$input"
fi
[ -f "$model" ] || { echo "error: no model file '$model'" >&2; exit 1; }

source "$(dirname "$0")/bench-env.sh"  # BLAS kernel, threads, OpenMP waiting: both sides

ours_ok=1
if [ ! -x "$deepnet" ] || ! "$deepnet" translate --help >/dev/null 2>&1; then
    ours_ok=0
    echo "note: '$deepnet translate' is not available yet: only the PyTorch side runs" >&2
fi

lines=$(wc -l <"$input")
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(getconf _NPROCESSORS_ONLN) cores, threads: $threads, OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE, OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-default}, GOMP_SPINCOUNT=${GOMP_SPINCOUNT:-default}, nice $nice_level, $(date -u '+%F %H:%M UTC')"
echo "model: $model; input: $input ($lines lines); mini-batch 32"
echo "load before: $(uptime | sed 's/.*load average/load average/')"

timed() {  # timed NAME cmd...: wall seconds and peak RSS (KiB) into $out/NAME.time
    /usr/bin/time -f "%e %M" -o "$out/$1.time" nice -n "$nice_level" "${@:2}"
}
for r in $(seq 1 "$rounds"); do
    for b in $beams; do
        if [ $ours_ok = 1 ]; then
            timed "ours.b$b.$r" "$deepnet" translate -m "$model" -i "$input" -o "$out/ours.b$b.txt" \
                --beam-size "$b" --mini-batch 32 --cpu-threads "$threads" 2>"$out/ours.b$b.$r.log"
        fi
        cmp=()
        [ $ours_ok = 1 ] && cmp=(--compare "$out/ours.b$b.txt")
        timed "peer.b$b.$r" "$python" tests/bench/peer_pytorch_translate.py -m "$model" -i "$input" \
            -o "$out/peer.b$b.txt" --beam-size "$b" --mini-batch 32 --threads "$threads" "${cmp[@]}" \
            >"$out/peer.b$b.$r.log"
    done
done
first=$(echo $beams | awk '{print $1}')
echo "== PyTorch runtime"; grep -E '^(torch|BLAS|CPU)' "$out/peer.b$first.1.log"
echo "load after: $(uptime | sed 's/.*load average/load average/')"
echo
printf "%-5s %-5s | %-8s %9s %9s %9s %8s | %-8s %9s %9s %9s %8s | %7s | %s\n" beam round \
    DeepNet sent/s tok/s wall_s RSS_MiB PyTorch sent/s tok/s wall_s RSS_MiB ratio agreement
for r in $(seq 1 "$rounds"); do
    for b in $beams; do
        p=$out/peer.b$b.$r
        ps=$(grep -m1 '^sentences/s' "$p.log" | awk '{print $2}')
        pt=$(grep -m1 '^target tokens/s' "$p.log" | awk '{print $3}')
        read -r pw prss <"$p.time"
        agree=$(grep -m1 '^agreement' "$p.log" | sed -E 's/.*: ([0-9]+ \/ [0-9]+).*\((.*)\).*/\1 (\2)/' || true)
        if [ $ours_ok = 1 ]; then
            o=$out/ours.b$b.$r
            # "translated N lines (T target tokens) in X s: ..." (model loading excluded)
            read -r on ot osec < <(sed -nE 's/.*translated ([0-9]+) lines \(([0-9]+) target tokens\) in ([0-9.]+) s.*/\1 \2 \3/p' "$o.log")
            read -r ow orss <"$o.time"
            os_=$(echo "$on / $osec" | bc -l) otk=$(echo "$ot / $osec" | bc -l)
            printf "%-5s %-5s | %-8s %9.1f %9.0f %9.2f %8.0f | %-8s %9s %9s %9.2f %8.0f | %6.2fx | %s\n" "$b" "$r" "" \
                "$os_" "$otk" "$ow" "$(echo "$orss / 1024" | bc -l)" "" "$ps" "$pt" "$pw" "$(echo "$prss / 1024" | bc -l)" \
                "$(echo "$os_ / $ps" | bc -l)" "$agree"
        else
            printf "%-5s %-5s | %-8s %9s %9s %9s %8s | %-8s %9s %9s %9.2f %8.0f | %7s | %s\n" "$b" "$r" "" - - - - "" \
                "$ps" "$pt" "$pw" "$(echo "$prss / 1024" | bc -l)" - "our side awaits 'deepnet translate'"
        fi
    done
done
echo "sent/s, tok/s: translation only (model loading excluded); wall_s, RSS: the whole process;"
echo "ratio = DeepNet sentences/s / PyTorch sentences/s; agreement = identical output lines"
if [ "${KEEP:-0}" = 1 ]; then echo "outputs kept in $out"; else rm -rf "$out"; fi
