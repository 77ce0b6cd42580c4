#!/usr/bin/env bash
# Speed of two builds of DeepNet, side by side in the same run: bench_train in float32 and
# in mixed bfloat16, and bench_translate (beam 1 and 4), each run alternately OLD, NEW,
# ROUNDS times; prints the median figure of each and the ratio NEW / OLD. For restructurings
# that must not cost speed (docs/benchmarks.md records the results).
#   scripts/bench-compare.sh OLD_DIR NEW_DIR [rounds=3]
# OLD_DIR, NEW_DIR: directories holding bench_train and bench_translate (e.g. a copy of
# build/bench of the previous main, and build/bench). Environment: THREADS (2).
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 1; }
old=$1 new=$2 rounds=${3:-3} threads=${THREADS:-2}
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), flags:$(grep -m1 -o -w 'avx512f\|amx_tile\|amx_bf16' /proc/cpuinfo | sort -u | tr '\n' ' ')threads $threads, $(date -u '+%F %H:%M UTC')"

for r in $(seq "$rounds"); do
    for side in old new; do
        dir=$old; [ $side = new ] && dir=$new
        "$dir/bench_train" "$threads" --steps 10 > "$log/train-f32-$side-$r.txt"
        "$dir/bench_train" "$threads" --steps 10 --bf16 > "$log/train-bf16-$side-$r.txt"
        "$dir/bench_translate" --threads "$threads" > "$log/translate-$side-$r.txt"
    done
done

median() { sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
row() {  # name, file prefix, awk program printing one figure per file
    local name=$1 prefix=$2 prog=$3 o n
    o=$(for f in "$log/$prefix"-old-*.txt; do awk "$prog" "$f"; done | median)
    n=$(for f in "$log/$prefix"-new-*.txt; do awk "$prog" "$f"; done | median)
    printf '| %-34s | %10.1f | %10.1f | %6.3f |\n' "$name" "$o" "$n" "$(echo "$n / $o" | bc -l)"
}
echo "| figure (median of $rounds) | old | new | new/old |"
echo "|---|---:|---:|---:|"
row "train float32, target tokens/s" train-f32 '/target tokens\/s/ {print $3}'
row "train bfloat16, target tokens/s" train-bf16 '/target tokens\/s/ {print $3}'
row "translate beam 1, tokens/s" translate '/beam 1/ {for (i = 1; i <= NF; ++i) if ($i == "tokens/s" || $i ~ /tokens\/s,?$/) {print $(i-1); exit}}'
row "translate beam 4, tokens/s" translate '/beam 4/ {for (i = 1; i <= NF; ++i) if ($i == "tokens/s" || $i ~ /tokens\/s,?$/) {print $(i-1); exit}}'
