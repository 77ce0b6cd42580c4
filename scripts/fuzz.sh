#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (scripts/setup.sh --fuzz: clang, ASan + UBSan,
# into build-fuzz/) and runs each for a bounded time, one after the other. Each target
# starts from its seed corpus tests/fuzz/corpus/<target>/ copied into
# build-fuzz/runs/<target>/corpus/ (which keeps growing over runs; the repository is never
# written), after the inputs of earlier findings, tests/fuzz/crashes/<target>/. Exits 1 on
# any finding (crash, sanitizer report, exception other than UserError, hang, memory
# exhaustion) and prints the input that triggered it.
#   scripts/fuzz.sh [--seconds N] [target...]   N seconds per target (default 60), all
#                                               targets by default: safetensors config_yaml
#                                               progress_yaml text_reader command_line
# Reproduce a finding: build-fuzz/fuzz/fuzz_<target> <input file>
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
targets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds=$2; shift 2 ;;
        --seconds=*) seconds=${1#*=}; shift ;;
        -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "fuzz: unknown option $1" >&2; exit 2 ;;
        *) targets+=("$1"); shift ;;
    esac
done
if [ ${#targets[@]} -eq 0 ]; then
    for src in tests/fuzz/fuzz_*.cpp; do t=$(basename "$src" .cpp); targets+=("${t#fuzz_}"); done
fi
for t in "${targets[@]}"; do
    [ -f "tests/fuzz/fuzz_$t.cpp" ] || { echo "fuzz: no target '$t' (tests/fuzz/fuzz_$t.cpp)" >&2; exit 2; }
done

scripts/setup.sh --fuzz

# Memory: ASan's hard RSS limit ends an input that exhausts memory and libFuzzer keeps it as
# a crash input (libFuzzer's own -rss_limit_mb can stall while it prints the heap profile,
# the input still allocating); -malloc_limit_mb catches a single huge allocation.
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:hard_rss_limit_mb=2048}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
found=()
for t in "${targets[@]}"; do
    run=build-fuzz/runs/$t
    rm -rf "$run/artifacts" && mkdir -p "$run/corpus" "$run/artifacts"
    cp -n tests/fuzz/corpus/"$t"/* "$run/corpus/" 2>/dev/null || true
    # Earlier findings (tests/fuzz/crashes/<target>/) are read, and so run first, as a
    # second corpus directory; libFuzzer only writes to the first.
    crashes=()
    if [ -d "tests/fuzz/crashes/$t" ]; then crashes=("tests/fuzz/crashes/$t"); fi
    echo "fuzz: $t for ${seconds}s (log: $run/log)"
    # -timeout: one input running longer is a finding (a hang); timeout(1) is a backstop.
    if timeout -k 10 $((seconds + 300)) build-fuzz/fuzz/"fuzz_$t" -max_total_time="$seconds" \
        -timeout=25 -rss_limit_mb=0 -malloc_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$run/artifacts/" "$run/corpus" "${crashes[@]}" >"$run/log" 2>&1; then
        grep -E '^stat::number_of_executed_units|^#[0-9]+ +DONE' "$run/log" | tail -2 | sed 's/^/    /'
    else
        found+=("$t")
        echo "fuzz: FINDING in $t:"
        grep -E 'ERROR:|SUMMARY:|rss limit|terminate called|what\(\)|runtime error|Test unit written|^    #[0-9]+ ' \
            "$run/log" | head -30 | sed 's/^/    /'
        for f in "$run/artifacts"/*; do
            if [ -e "$f" ]; then echo "    input: $f (reproduce: build-fuzz/fuzz/fuzz_$t $f)"; fi
        done
    fi
done
if [ ${#found[@]} -gt 0 ]; then
    echo "fuzz: findings in ${found[*]}; keep each input under tests/fuzz/crashes/<target>/"
    exit 1
fi
echo "fuzz: no findings (${targets[*]}, ${seconds}s each)"
