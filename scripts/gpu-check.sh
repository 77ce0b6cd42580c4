#!/usr/bin/env bash
# GPU check of the CUDA backend (issue 5) on an H100 or H200: builds the CUDA tests and the
# kernel benchmarks for sm_90, runs the tests (CUDA vs the CPU twins), the kernel
# benchmarks and, when PyTorch is there, the same LayerNorm shapes through PyTorch. Logs go
# to $OUT (default ./gpu-check-out); a summary is printed last. Finishes well inside 8
# minutes (budget: build 4, tests 2, benchmarks 2 at most; usually far less).
#
# Only the standalone CUDA project tests/cuda is built (CUDA toolkit, OpenMP and a Catch2
# header): GPU machines here lack yaml-cpp, SentencePiece and OpenBLAS.
#
#   scripts/gpu-check.sh prepare   On the development machine, no GPU needed: builds for
#                                  sm_90 into build-gpu/ and packs the binaries, a hash of
#                                  their sources and the Catch2 header into build-gpu/pack.
#   scripts/gpu-check.sh [run]     On the GPU machine: uses build-gpu/pack when its binaries
#                                  start there and match the sources, else builds (needs the
#                                  packed Catch2 header or an installed Catch2).
#
# With the device tool: run(command="scripts/gpu-check.sh", carry=["build-gpu/pack"],
# timeout_s=540). Set GPU_CHECK_SANITIZE=1 to add a compute-sanitizer memcheck pass over the
# residual_layernorm tests (Firecracker machines only; minutes).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
MODE=${1:-run}
PACK=$ROOT/build-gpu/pack
OUT=${OUT:-$ROOT/gpu-check-out}
export PATH=/usr/local/cuda/bin:$PATH

source_hash() {
    # Everything the packed binaries may be built from (the standalone tests/cuda project):
    # whole directories, so that no list of CUDA sources is kept here.
    find kernels src tests/cuda tests/bench cmake -type f | LC_ALL=C sort | xargs cat |
        sha256sum | cut -d' ' -f1
}

configure_and_build() {  # build-dir arch jobs [catch2-include]
    local dir=$1 arch=$2 jobs=$3 catch=${4:-}
    local extra=()
    [[ -n $catch ]] && extra+=("-DDEEPNET_CATCH2_INCLUDE=$catch")
    cmake -S tests/cuda -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_CUDA_ARCHITECTURES="$arch" "${extra[@]}" &&
        cmake --build "$dir" -j "$jobs"
}

if [[ $MODE == prepare ]]; then
    echo "== building for sm_90 in build-gpu (nice, 2 jobs)"
    nice -n 15 bash -c "$(declare -f configure_and_build); configure_and_build build-gpu 90 2" ||
        exit 1
    rm -rf "$PACK" && mkdir -p "$PACK/bench" "$PACK/catch2-include/catch2"
    cp build-gpu/deepnet_tests_cuda "$PACK/" && cp build-gpu/bench/bench_*_cuda "$PACK/bench/"
    cp /usr/include/catch2/catch.hpp "$PACK/catch2-include/catch2/" 2>/dev/null ||
        echo "warning: no /usr/include/catch2/catch.hpp to pack"
    source_hash >"$PACK/source.sha256"
    echo "== packed $(du -sh "$PACK" | cut -f1) in build-gpu/pack"
    echo 'then: run(command="scripts/gpu-check.sh", carry=["build-gpu/pack"], timeout_s=540)'
    exit 0
fi

mkdir -p "$OUT"
START=$(date +%s)
elapsed() { echo $(($(date +%s) - START)); }
GPU=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)
{
    date -u
    nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.mem,temperature.gpu \
        --format=csv 2>&1
    nvcc --version 2>&1 | tail -2
    uname -r
} >"$OUT/env.txt"
cat "$OUT/env.txt"

# ---- binaries: the pack if it matches the sources and starts here, else build here.
BIN=""
if [[ -x $PACK/deepnet_tests_cuda ]]; then
    if [[ "$(cat "$PACK/source.sha256" 2>/dev/null)" != "$(source_hash)" ]]; then
        echo "pack: sources changed since it was built; rebuilding"
    elif ldd "$PACK/deepnet_tests_cuda" | grep -q 'not found'; then
        echo "pack: missing libraries here; rebuilding"
        ldd "$PACK/deepnet_tests_cuda" | grep 'not found'
    elif ! { "$PACK/deepnet_tests_cuda" --list-test-names-only 2>&1 || true; } |
        grep -q residual_layernorm; then
        echo "pack: binary does not start here; rebuilding"
    else
        BIN=$PACK
        echo "pack: using the prebuilt binaries"
    fi
fi
if [[ -z $BIN ]]; then
    CATCH=""
    [[ -f $PACK/catch2-include/catch2/catch.hpp ]] && CATCH=$PACK/catch2-include
    BUILD=/tmp/deepnet-gpu-build
    echo "== building for sm_90 in $BUILD"
    if ! timeout 240 bash -c "$(declare -f configure_and_build); \
            configure_and_build $BUILD 90 $(nproc) '$CATCH'" >"$OUT/build.log" 2>&1; then
        tail -30 "$OUT/build.log"
        echo "BUILD FAILED after $(elapsed) s (log: $OUT/build.log)"
        exit 1
    fi
    BIN=$BUILD
fi
echo "binaries ready after $(elapsed) s"

# ---- tests: every CUDA kernel against its CPU twin.
timeout 150 "$BIN/deepnet_tests_cuda" --durations yes >"$OUT/tests.log" 2>&1
TESTS_RC=$?
if [[ ${GPU_CHECK_SANITIZE:-0} == 1 ]] && command -v compute-sanitizer >/dev/null; then
    timeout 240 compute-sanitizer --tool memcheck --error-exitcode 9 \
        "$BIN/deepnet_tests_cuda" "[residual_layernorm]" >"$OUT/sanitizer.log" 2>&1
    echo "compute-sanitizer memcheck: rc=$? (log: $OUT/sanitizer.log)"
fi
echo "tests done after $(elapsed) s"

# ---- kernel benchmarks, and PyTorch on the same shapes.
for b in "$BIN"/bench/bench_*_cuda; do
    log=$OUT/$(basename "$b").txt
    timeout 90 "$b" >"$log" 2>&1
    rc=$?
    [[ $rc != 0 ]] && echo "$(basename "$b"): rc=$rc" >>"$log"
done
if python3 -c 'import torch; assert torch.cuda.is_available()' 2>/dev/null; then
    timeout 120 env PYTHONUNBUFFERED=1 python3 - >"$OUT/bench_layernorm_torch.txt" 2>&1 <<'PY'
# PyTorch beside bench_layernorm_cuda: F.layer_norm(alpha * x + f), forward and backward
# (dx, df, dgamma, dbeta), same shapes, same byte counting, CUDA events, median.
import torch, torch.nn.functional as F
torch.manual_seed(0)
def med(fn, reps=50):
    for _ in range(5): fn()
    ts = []
    for _ in range(reps):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record(); fn(); b.record(); b.synchronize(); ts.append(a.elapsed_time(b))
    return sorted(ts)[len(ts) // 2]
print(f"torch {torch.__version__}, {torch.cuda.get_device_name()}")
print(f"{'op':9} {'type':6} {'N':>6} {'C':>5} {'time_us':>9} {'GB/s':>8}")
for C in (512, 1024):
    for dt, name in ((torch.bfloat16, "bf16"), (torch.float32, "float")):
        N, s, alpha = 16384, torch.finfo(dt).bits // 8, 1.7
        x = torch.randn(N, C, device="cuda", dtype=dt, requires_grad=True)
        f = torch.randn(N, C, device="cuda", dtype=dt, requires_grad=True)
        w = torch.randn(C, device="cuda", dtype=dt, requires_grad=True)
        bias = torch.randn(C, device="cuda", dtype=dt, requires_grad=True)
        dy = torch.randn(N, C, device="cuda", dtype=dt)
        fwd = lambda: F.layer_norm(alpha * x + f, (C,), w, bias, 1e-5)
        with torch.no_grad():
            t = med(fwd)
        print(f"{'forward':9} {name:6} {N:6} {C:5} {t*1e3:9.1f} {(3*N*C*s + 2*C*s + 8*N)/(t*1e-3)/1e9:8.0f}")
        def bwd():
            y = fwd()
            torch.autograd.backward(y, dy)
        t = med(bwd)  # includes the forward: PyTorch saves no z for us to reuse
        print(f"{'fwd+bwd':9} {name:6} {N:6} {C:5} {t*1e3:9.1f} {(8*N*C*s + 3*C*s + 16*N)/(t*1e-3)/1e9:8.0f}")
PY
else
    echo "PyTorch with CUDA not found: no PyTorch comparison" >"$OUT/bench_layernorm_torch.txt"
fi

# ---- summary, last so that the tool's output tail shows it.
{
    echo "== gpu-check summary: ${GPU:-no GPU found}, $(elapsed) s"
    echo "-- tests: rc=$TESTS_RC"
    grep -E "test cases|All tests passed|FAILED|failed|skipped" "$OUT/tests.log" | tail -8
    for f in "$OUT"/bench_*.txt; do
        echo "-- $(basename "$f")"
        tail -n 12 "$f"
    done
} | tee "$OUT/summary.txt"
exit $TESTS_RC
