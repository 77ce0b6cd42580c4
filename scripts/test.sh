#!/usr/bin/env bash
# Sets up (installs what is missing, builds into build/) and runs the test suite with CTest.
# Slow cases ([slow]) are not in the default set: build/tests/deepnet_tests "[slow]".
#   scripts/test.sh --sanitize [...]: the same set built with ASan + UBSan into build-asan/
#   (docs/reliability.md); any sanitizer report aborts the process that made it.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=build
if [ "${1:-}" = "--sanitize" ]; then
    build_dir=build-asan
    # abort_on_error: a report ends the process with SIGABRT, never with an exit code a test
    # could expect (the trainer's own exits are 1, 2, ...). detect_leaks=0: Open MPI (the
    # [mpi] tests) leaks its one-time allocations, most from plugins it has unloaded by exit,
    # which no suppression can name; the rest of the suite was leak-free when this was set.
    export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=1:detect_leaks=0}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}
    started=$(mktemp)  # logs newer than this one are from this run
fi
scripts/setup.sh "$@"
cd "$build_dir"
status=0
skip=()
# Under the sanitizers, runs that repeat what the rest already covers are left out to keep
# CI well under an hour on 2 cores: the whole emulated-CUDA binary again in the reverse
# schedule (a barrier check, which the plain build runs), the attention benchmark's smoke
# run (its kernels are the tests' kernels), and the benchmark-script checks (shell logic
# around train/translate/average/eval, which their own tests run under the sanitizers).
[ "$build_dir" = build-asan ] &&
    skip=(-E 'emulated_cuda_reverse_schedule|emulated_bench_attention_cuda_smoke|script_benchmarks|script_multi30k_recipe')
OMP_NUM_THREADS=${OMP_NUM_THREADS:-2} ctest --output-on-failure -j "$(nproc)" "${skip[@]}" || status=$?
if [ "$build_dir" = build-asan ]; then
    # The deepnet processes the tests start often write their stderr to a log file: a report
    # there fails the run even where the test passed.
    reports=$(find . -path ./Testing -prune -o -name '*.log' -newer "$started" -print |
              xargs -r grep -lE 'runtime error:|ERROR: (Address|Leak)Sanitizer' || true)
    rm -f "$started"
    for r in $reports; do echo "test: sanitizer report in build-asan/${r#./}"; status=1; done
fi
exit "$status"
