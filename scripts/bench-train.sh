#!/usr/bin/env bash
# Training-step throughput, DeepNet vs its PyTorch twin: build/bench/bench_train and
# tests/bench/peer_pytorch_train.py (same model, batch, dropout, loss, Adam(W) and lr
# schedule), run alternately ROUNDS times on the same machine in the same run, in float32
# and in mixed bfloat16 (DeepNet precision [bfloat16, float32], PyTorch autocast); prints
# per precision a table of target tokens/s, step times and peak RSS with the ratio.
#   scripts/bench-train.sh [rounds=3] [steps=10]      (after scripts/setup.sh)
#   CHECK=1 scripts/bench-train.sh ...   first checks that the twin is faithful: the same
#                                         initial weights give the same losses, gradients and
#                                         weights over 5 updates (no dropout)
# Environment: THREADS (default 2, both sides), NICE (default 10: the machine is shared),
# WAIT_POLICY (both sides: SPIN3000 = GOMP_SPINCOUNT=3000 as DeepNet by default, PASSIVE, ACTIVE, "default" = unset),
# OPENBLAS_CORETYPE (default: chosen as src/core/blas_setup.cpp does), PYTHON (/usr/bin/python3,
# with Debian's python3-torch).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
steps=${2:-10}
threads=${THREADS:-2}
nice_level=${NICE:-10}
python=${PYTHON:-/usr/bin/python3}
bench=build/bench/bench_train

source "$(dirname "$0")/bench-env.sh"  # BLAS kernel, threads, OpenMP waiting: both sides

if ! "$python" -c 'import torch' 2>/dev/null; then
    echo "error: $python cannot import torch (apt-get install -y python3-torch)" >&2
    exit 1
fi
if ! nice -n "$nice_level" cmake --build build -j2 --target bench_train >/tmp/bench-train-build.$$.log 2>&1; then
    if [ -x "$bench" ]; then
        echo "warning: building bench_train failed (see /tmp/bench-train-build.$$.log); using the existing binary" >&2
    else
        cat /tmp/bench-train-build.$$.log >&2
        exit 1
    fi
fi
rm -f /tmp/bench-train-build.$$.log

echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(getconf _NPROCESSORS_ONLN) cores, threads: $threads, OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE, OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-default}, GOMP_SPINCOUNT=${GOMP_SPINCOUNT:-default}, nice $nice_level, $(date -u '+%F %H:%M UTC')"
echo "load before: $(uptime | sed 's/.*load average/load average/')"

if [ "${CHECK:-0}" = 1 ]; then
    dir=$(mktemp -d)
    echo "== faithfulness check (initial weights, ragged batch, no dropout, 5 updates) in $dir"
    nice -n "$nice_level" "$bench" "$threads" --check "$dir" --check-updates 5 >/dev/null
    nice -n "$nice_level" "$python" tests/bench/peer_pytorch_train.py --threads "$threads" --check "$dir"
    rm -rf "$dir"
fi

out=$(mktemp -d)
field() { grep -m1 "$2" "$1" | sed -E "s|.*$2[^0-9]*([0-9.]+).*|\1|"; }
# Both precisions, alternating sides: float32 (DeepNet's default; PyTorch eager) and mixed
# bfloat16 (DeepNet precision [bfloat16, float32]; PyTorch autocast to bfloat16).
for r in $(seq 1 "$rounds"); do
    for m in fp32 bf16; do
        flag=""; [ "$m" = bf16 ] && flag=--bf16
        nice -n "$nice_level" "$bench" "$threads" --steps "$steps" $flag >"$out/ours.$m.$r"
        nice -n "$nice_level" "$python" tests/bench/peer_pytorch_train.py --threads "$threads" --steps "$steps" $flag >"$out/peer.$m.$r"
    done
done
echo "== DeepNet (round 1, float32)"; cat "$out/ours.fp32.1"
echo "== PyTorch (round 1, float32)"; cat "$out/peer.fp32.1"
echo "== DeepNet (round 1, bfloat16)"; cat "$out/ours.bf16.1"
echo "== PyTorch (round 1, bfloat16)"; cat "$out/peer.bf16.1"
echo "load after: $(uptime | sed 's/.*load average/load average/')"
echo
echo "6+6 layers, d=256, 4 heads, FFN 1024, vocab 8000, 64 x 32 tokens, deepnorm, dropout 0.1, ls 0.1; $steps steps per run after 2 warm-up"
# Over all rounds: median of the per-run medians, and the fastest step seen (least disturbed).
summary() { for f in "$out"/$1.*; do field "$f" "$2"; done | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
smin() { for f in "$out"/$1.*; do field "$f" ", min"; done | sort -g | head -1; }
for m in fp32 bf16; do
    echo
    echo "precision $m"
    printf "%-6s | %13s %11s %9s | %13s %11s %9s | %7s %7s\n" round "DeepNet tok/s" "median ms" "min ms" "PyTorch tok/s" "median ms" "min ms" "ratio" "ratio(min)"
    for r in $(seq 1 "$rounds"); do
        o=$out/ours.$m.$r p=$out/peer.$m.$r
        om=$(field "$o" "median") on=$(field "$o" ", min") pmed=$(field "$p" "median") pn=$(field "$p" ", min")
        printf "%-6s | %13s %11s %9s | %13s %11s %9s | %6.2fx %6.2fx\n" "$r" "$(field "$o" "target tokens/s")" "$om" "$on" \
            "$(field "$p" "target tokens/s")" "$pmed" "$pn" "$(echo "$pmed / $om" | bc -l)" "$(echo "$pn / $on" | bc -l)"
    done
    om=$(summary "ours.$m" median) pmed=$(summary "peer.$m" median) on=$(smin "ours.$m") pn=$(smin "peer.$m")
    printf "%-6s | %13.0f %11s %9s | %13.0f %11s %9s | %6.2fx %6.2fx\n" all "$(echo "2048000 / $om" | bc -l)" "$om" "$on" \
        "$(echo "2048000 / $pmed" | bc -l)" "$pmed" "$pn" "$(echo "$pmed / $om" | bc -l)" "$(echo "$pn / $on" | bc -l)"
    echo "peak RSS: DeepNet $(field "$out/ours.$m.1" "peak RSS") MiB, PyTorch $(field "$out/peer.$m.1" "peak RSS") MiB"
done
echo
echo "ratio = PyTorch step time / DeepNet step time (> 1: DeepNet is faster); 'all' = median of the run medians, fastest step"
ob=$(summary ours.bf16 median) pf=$(summary peer.fp32 median)
printf "across precisions: DeepNet bfloat16 vs PyTorch float32: %.2fx\n" "$(echo "$pf / $ob" | bc -l)"
echo "parameters: DeepNet $(field "$out/ours.fp32.1" "parameters"), PyTorch $(field "$out/peer.fp32.1" "parameters")"
rm -rf "$out"
