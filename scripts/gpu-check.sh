#!/usr/bin/env bash
# GPU check of the CUDA backend (issues 5 and 11) on an H100 or H200, in one run of at most
# 8 minutes: every CUDA test on the GPU, the whole-model parity (one step and a 50-update
# run on the GPU against the CPU), the kernel benchmarks (residual LayerNorm, flash
# attention) and the whole training step of a Transformer-big-shaped model, each beside
# PyTorch on the same shapes. Logs go to $OUT (default ./gpu-check-out); a summary is
# printed last. docs/cuda.md, "The GPU check", says what each phase measures.
#
#   scripts/gpu-check.sh prepare   On the development machine (no GPU needed): builds the whole
#                                  project for sm_90 in build-gpu/ (x86-64-v3, no MPI) and packs
#                                  the binaries with the non-CUDA shared libraries they need
#                                  (oneDNN, OpenBLAS, yaml-cpp, SentencePiece, ...: the GPU
#                                  machine lacks them) into build-gpu/pack (xz, under the device
#                                  tool's 64 MiB carry limit), with a hash of their sources.
#   scripts/gpu-check.sh [run]     On the GPU machine: unpacks the pack into /tmp and runs the
#                                  phases with it. If the pack is stale or does not start there,
#                                  builds the standalone tests/cuda project (tests and kernel
#                                  benchmarks only), skips the phases that need deepnet and
#                                  exits 1 (pack=unusable): rerun prepare after source changes.
#   scripts/gpu-check.sh emulated  Here, without a GPU: the same phases with the emulated
#                                  binaries of build/ (deepnet_emulated, bench_train_cuda_emu,
#                                  deepnet_tests_cuda_emu, bench_attention_cuda_emu) in place of the
#                                  GPU ones, smoke sizes, no LayerNorm benchmark (not emulated),
#                                  no PyTorch (none here). Checks the script's logic and the parity
#                                  phase for real (the parity must pass there too).
#
# With the device tool: run(command="scripts/gpu-check.sh", carry=["build-gpu/pack"],
# timeout_s=480). GPU_CHECK_SANITIZE=1 adds a compute-sanitizer memcheck pass over the
# residual_layernorm tests (Firecracker machines only; minutes).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
MODE=${1:-run}
PACK=$ROOT/build-gpu/pack
OUT=${OUT:-$ROOT/gpu-check-out}
WORK=/tmp/gpu-check-work  # per-phase logs; $OUT gets a few files (the device tool returns 8 at most)
export PATH=/usr/local/cuda/bin:$PATH
DEADLINE=${GPU_CHECK_SECONDS:-420}  # every phase's timeout is cut to what is left of this
PACK_LIMIT_MIB=56                   # the device tool carries 64 MiB, the working tree included
PACKED_BINS="deepnet tests/cuda/deepnet_tests_cuda bench/bench_train_cuda bench/bench_layernorm_cuda
             bench/bench_attention_cuda"

source_hash() {
    # Everything the packed binaries are built from: whole directories, no list kept here
    # (the Python peers are not compiled: changing them keeps the pack).
    # Python caches (tests/bench/__pycache__, written by any import of a peer) do not count;
    # docs/cuda.md names these paths as the ones after which prepare must run again.
    find kernels src tests/cuda tests/bench cmake CMakeLists.txt tests/CMakeLists.txt -type f ! -name '*.py' \
        ! -name '*.pyc' ! -path '*/__pycache__/*' |
        LC_ALL=C sort | xargs cat | sha256sum | cut -d' ' -f1
}

configure_and_build_cuda_tests() {  # build-dir jobs [catch2-include]: the standalone tests/cuda
    local dir=$1 jobs=$2 catch=${3:-}
    local extra=()
    [[ -n $catch ]] && extra+=("-DDEEPNET_CATCH2_INCLUDE=$catch")
    cmake -S tests/cuda -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_CUDA_ARCHITECTURES=90 "${extra[@]}" && cmake --build "$dir" -j "$jobs"
}

if [[ $MODE == prepare ]]; then
    echo "== building for sm_90 in build-gpu (nice, 2 jobs)"
    nice -n 15 cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DDEEPNET_CUDA=ON \
        -DCMAKE_CUDA_ARCHITECTURES=90 -DDEEPNET_CPU_ARCH=x86-64-v3 -DDEEPNET_MPI=OFF \
        -DDEEPNET_CUDA_EMULATION=OFF >/dev/null &&
        nice -n 15 cmake --build build-gpu -j 2 --target deepnet deepnet_tests_cuda bench_train_cuda \
            bench_layernorm_cuda bench_attention_cuda || exit 1
    STAGE=build-gpu/stage
    rm -rf "$PACK" "$STAGE" && mkdir -p "$PACK/catch2-include/catch2" "$STAGE/bin" "$STAGE/lib"
    for b in $PACKED_BINS; do cp "build-gpu/$b" "$STAGE/bin/" || exit 1; done
    # The shared libraries they need, but glibc's (the GPU machine's is newer) and CUDA's
    # (CUDA 13 is installed there; cuBLASLt alone is hundreds of MB).
    ldd "$STAGE"/bin/* | awk '$3 ~ /^\// {print $3}' | sort -u |
        grep -vE '/(libc|libm|libpthread|libdl|librt|ld-linux[^/]*)\.so|/libcu(da|dart|blas|blasLt)\.so' |
        while read -r lib; do cp -L "$lib" "$STAGE/lib/"; done
    if ldd "$STAGE"/bin/* | grep -q 'not found'; then echo "prepare: unresolved libraries"; exit 1; fi
    tar -C "$STAGE" -cf - bin lib | xz -T2 -6 >"$PACK/deepnet-gpu.tar.xz" || exit 1
    cp /usr/include/catch2/catch.hpp "$PACK/catch2-include/catch2/" 2>/dev/null ||
        echo "warning: no /usr/include/catch2/catch.hpp to pack (the fallback build needs it)"
    source_hash >"$PACK/source.sha256"
    size=$(du -sm "$PACK" | cut -f1)
    echo "== packed ${size} MiB in build-gpu/pack ($(ls "$STAGE/lib" | wc -l) libraries):"
    ls -l "$PACK"
    if ((size > PACK_LIMIT_MIB)); then
        echo "prepare: the pack is over ${PACK_LIMIT_MIB} MiB: the device tool cannot carry it"
        exit 1
    fi
    echo 'then: run(command="scripts/gpu-check.sh", carry=["build-gpu/pack"], timeout_s=480)'
    exit 0
fi

[[ $MODE == run || $MODE == emulated ]] || { echo "usage: $0 [prepare|run|emulated]"; exit 2; }
rm -rf "$WORK" && mkdir -p "$OUT" "$WORK"
# The phases append to these: start from empty ones (a local $OUT keeps the last run's).
rm -f "$OUT"/{env.txt,build.log,tests.log,parity.log,decode.log,bench.log,summary.txt}
START=$(date +%s)
elapsed() { echo $(($(date +%s) - START)); }
# budget N: N seconds, or what is left before the deadline; 0 when under 10 s are left.
budget() {
    local left=$((DEADLINE - $(elapsed)))
    ((left < 10)) && { echo 0; return; }
    echo $((left < $1 ? left : $1))
}
# run_phase NAME SECONDS LOG CMD...: runs CMD with the phase's budget, appends rc to LOG.
declare -A RC
run_phase() {
    local name=$1 secs log=$3
    secs=$(budget "$2")
    shift 3
    if ((secs == 0)); then
        echo "$name: skipped, out of time" >>"$log"
        RC[$name]=skipped
        return
    fi
    echo "== $name (at most ${secs} s, started at $(elapsed) s)"
    # -k: the trainer answers the first SIGTERM by stopping after the current update, which a
    # hung kernel or collective never reaches: SIGKILL 10 s later.
    timeout -k 10 "$secs" "$@" >>"$log" 2>&1
    local rc=$?
    ((rc == 124)) && echo "$name: timed out after ${secs} s" >>"$log"
    ((rc == 137)) && echo "$name: killed (SIGKILL: still running 10 s after its ${secs} s, or out of memory)" >>"$log"
    RC[$name]=$rc
}

GPU=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)
{
    date -u
    nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.mem,temperature.gpu \
        --format=csv 2>&1
    nvcc --version 2>&1 | tail -2
    uname -r
    python3 -c 'import torch; print("torch", torch.__version__, torch.cuda.is_available())' 2>&1 | tail -1
} >"$OUT/env.txt"
cat "$OUT/env.txt"

# ---- binaries. FULL=1: deepnet and bench_train_cuda are there (pack or emulated build).
FULL=0
LIBS=""
if [[ $MODE == emulated ]]; then
    E=$ROOT/build/tests/cuda_emu
    DEEPNET_GPU=$E/deepnet_emulated DEEPNET_CPU=$ROOT/build/deepnet BENCH_TRAIN=$E/bench_train_cuda_emu
    TESTS=$E/deepnet_tests_cuda_emu LN_BENCH="" ATTN_BENCH=$E/bench_attention_cuda_emu
    for f in "$DEEPNET_GPU" "$DEEPNET_CPU" "$BENCH_TRAIN" "$TESTS" "$ATTN_BENCH"; do
        [[ -x $f ]] || { echo "emulated: $f not built (cmake --build build --target deepnet deepnet_emulated bench_train_cuda_emu deepnet_tests_cuda_emu bench_attention_cuda_emu)"; exit 1; }
    done
    FULL=1 SMOKE=--smoke TESTS_FILTER=${GPU_CHECK_TESTS_FILTER:-"[context],[adamw]"} DECODE_LINES=20
    export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
else
    SMOKE="" TESTS_FILTER=${GPU_CHECK_TESTS_FILTER:-} DECODE_LINES=1000
    UNPACK=/tmp/deepnet-gpu
    if [[ -f $PACK/deepnet-gpu.tar.xz ]]; then
        rm -rf "$UNPACK" && mkdir -p "$UNPACK" && xz -dc "$PACK/deepnet-gpu.tar.xz" | tar -C "$UNPACK" -xf -
        # cuBLASLt and cudart: CUDA 13's own, wherever this machine keeps them.
        LIBS=$UNPACK/lib
        # NCCL (loaded at run time, only by the 1-rank NCCL phase): the system's or PyTorch's wheel.
        for lib in 'libcublasLt.so.13*' 'libnccl.so.2*'; do
            for d in /usr/local/cuda/lib64 /usr/local/cuda/lib /usr/local/cuda/targets/x86_64-linux/lib \
                $(python3 -c 'import site; print(" ".join(site.getsitepackages()))' 2>/dev/null); do
                hit=$(find -H "$d" -maxdepth 4 -name "$lib" -printf '%h\n' 2>/dev/null | head -1)
                [[ -n $hit ]] && LIBS=$LIBS:$hit
                [[ -n $hit ]] && break
            done
        done
        if [[ "$(cat "$PACK/source.sha256" 2>/dev/null)" != "$(source_hash)" ]]; then
            echo "pack: sources changed since it was built (run prepare again): not used"
        elif LD_LIBRARY_PATH=$LIBS ldd "$UNPACK"/bin/* | grep 'not found'; then
            echo "pack: libraries missing here (above): not used"
        elif ! LD_LIBRARY_PATH=$LIBS "$UNPACK/bin/deepnet" --version >"$WORK/version.txt" 2>&1; then
            echo "pack: deepnet does not start here: $(head -3 "$WORK/version.txt")"
        else
            FULL=1
            echo "pack: using the prebuilt binaries ($(head -1 "$WORK/version.txt"))"
        fi
    fi
    if ((FULL)); then
        DEEPNET_GPU=$UNPACK/bin/deepnet DEEPNET_CPU=$UNPACK/bin/deepnet BENCH_TRAIN=$UNPACK/bin/bench_train_cuda
        TESTS=$UNPACK/bin/deepnet_tests_cuda KBENCH_DIR=$UNPACK/bin
    else
        LIBS=""  # a build here links this machine's libraries, not the packed (older) ones
        CATCH=""
        [[ -f $PACK/catch2-include/catch2/catch.hpp ]] && CATCH=$PACK/catch2-include
        BUILD=/tmp/deepnet-gpu-build
        echo "== building tests/cuda for sm_90 in $BUILD (no deepnet: the parity and whole-step phases are skipped)"
        if ! timeout 240 bash -c "$(declare -f configure_and_build_cuda_tests); \
                configure_and_build_cuda_tests $BUILD $(nproc) '$CATCH'" >"$OUT/build.log" 2>&1; then
            tail -30 "$OUT/build.log"
            echo "BUILD FAILED after $(elapsed) s (log: $OUT/build.log)"
            exit 1
        fi
        TESTS=$BUILD/deepnet_tests_cuda KBENCH_DIR=$BUILD/bench
        RC[pack]=unusable  # the parity phases cannot run: the check as a whole fails
    fi
fi
# Our binaries run with the packed libraries first; python3 (torch) keeps its own.
ours=(env "LD_LIBRARY_PATH=$LIBS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}")
echo "binaries ready after $(elapsed) s"

# ---- (a) every CUDA test on the GPU, against the CPU twins.
filter=()
[[ -n $TESTS_FILTER ]] && filter=("$TESTS_FILTER")
run_phase tests 150 "$OUT/tests.log" "${ours[@]}" "$TESTS" --durations yes "${filter[@]}"
if [[ ${GPU_CHECK_SANITIZE:-0} == 1 && $MODE == run ]] && command -v compute-sanitizer >/dev/null; then
    run_phase sanitizer 240 "$OUT/tests.log" "${ours[@]}" compute-sanitizer --tool memcheck --error-exitcode 9 \
        "$TESTS" "[residual_layernorm]"
fi

TORCH=0
python3 -c 'import torch; assert torch.cuda.is_available()' 2>/dev/null && TORCH=1

# ---- (b) parity: one step (loss and every named gradient), then 50 updates of `deepnet
# train` on the built-in task, GPU against CPU, compared by scripts/compare_train_runs.py.
P=$OUT/parity.log
if ((FULL)); then
    run_phase parity_step 60 "$P" "${ours[@]}" "$BENCH_TRAIN" --parity $SMOKE
    T=$WORK/task
    UPDATES=${GPU_CHECK_PARITY_UPDATES:-50}
    LR=1e-3
    "${ours[@]}" "$DEEPNET_CPU" generate-task -o "$T" --train-size 3000 --valid-size 20 --test-size 20 --quiet >>"$P" 2>&1
    # 2 heads of 64 (the real head size), dropout on (the same mask bits on both devices).
    args=(train --train-sets "$T/train.en" "$T/train.xx" --vocabs "$T/vocab.spm" --dim-vocabs 160
          --enc-depth 2 --dec-depth 2 --dim-emb 128 --transformer-heads 2 --transformer-dim-ffn 256
          --transformer-dropout 0.1 --mini-batch-words 500 --lr-warmup 10 --learn-rate $LR --disp-freq 1
          --after-batches "$UPDATES" --save-freq 100000 --valid-freq 100000 --cpu-threads 4 --quiet)
    run_phase parity_cpu_run 60 "$P" "${ours[@]}" "$DEEPNET_CPU" "${args[@]}" -m "$T/cpu.safetensors"
    run_phase parity_gpu_run 150 "$P" "${ours[@]}" "$DEEPNET_GPU" "${args[@]}" -m "$T/gpu.safetensors" --devices 0 \
        --log "$T/gpu-train.log"
    # The NCCL path of the trainer on one GPU: a 1-rank NCCL job (gradient buckets all-reduced
    # on NCCL's stream during the backward) must give the plain run's bits (docs/distributed.md).
    if [[ $MODE == run && ${RC[parity_gpu_run]} == 0 ]]; then  # the emulated GPU has no NCCL
        run_phase nccl_1rank_run 150 "$P" "${ours[@]}" NCCL_DEBUG=WARN "$DEEPNET_GPU" "${args[@]}" \
            -m "$T/nccl.safetensors" --devices 0 --distributed-backend nccl --dist-timeout 60
        [[ ${RC[nccl_1rank_run]} == 0 ]] &&
            run_phase nccl_1rank_compare 30 "$P" python3 scripts/compare_train_runs.py "$T/nccl.safetensors" \
                "$T/gpu.safetensors" --bitwise
    fi
    # The memory plan against the allocator's peak on the device (docs/memory.md).
    grep -E "memory plan of|  = batch|  total|memory after the first update" "$T/gpu-train.log" >>"$P" 2>/dev/null
    if [[ ${RC[parity_cpu_run]} == 0 && ${RC[parity_gpu_run]} == 0 ]]; then
        run_phase parity_compare 30 "$P" python3 scripts/compare_train_runs.py "$T/gpu.safetensors" \
            "$T/cpu.safetensors" --learn-rate $LR
    fi
else
    echo "parity: skipped (no deepnet binary here: the pack was not usable)" >>"$P"
fi

# ---- (c) benchmarks, each beside PyTorch on the same shapes.
if [[ $MODE == run ]]; then
    LN_BENCH=$KBENCH_DIR/bench_layernorm_cuda ATTN_BENCH=$KBENCH_DIR/bench_attention_cuda
fi
[[ -n $LN_BENCH ]] && run_phase bench_layernorm_cuda 60 "$WORK/bench_layernorm_cuda.txt" "${ours[@]}" "$LN_BENCH"
run_phase bench_attention_cuda 90 "$WORK/bench_attention_cuda.txt" "${ours[@]}" "$ATTN_BENCH" $SMOKE
if ((FULL)); then
    run_phase bench_train_cuda 120 "$WORK/bench_train_cuda.txt" "${ours[@]}" "$BENCH_TRAIN" $SMOKE
    run_phase bench_train_cuda_bf16 90 "$WORK/bench_train_cuda_bf16.txt" "${ours[@]}" "$BENCH_TRAIN" --bf16 $SMOKE
fi
if ((TORCH)); then
    export PYTHONUNBUFFERED=1
    run_phase bench_layernorm_torch 60 "$WORK/bench_layernorm_torch.txt" python3 tests/bench/bench_layernorm_torch.py
    run_phase bench_attention_torch 90 "$WORK/bench_attention_torch.txt" python3 tests/bench/bench_attention_torch.py $SMOKE
    run_phase bench_train_torch_fp32 90 "$WORK/bench_train_torch_fp32.txt" \
        python3 tests/bench/peer_pytorch_train_cuda.py --precision fp32 $SMOKE
    run_phase bench_train_torch_bf16 60 "$WORK/bench_train_torch_bf16.txt" \
        python3 tests/bench/peer_pytorch_train_cuda.py --precision bf16 $SMOKE
else
    echo "PyTorch with CUDA not found: no PyTorch comparison" >"$WORK/torch.txt"
fi
# ---- (d) decoding, after the benchmarks (which docs/cuda.md ranks first): the GPU-trained
# model of (b) translates training sentences on the GPU and on the CPU (beam 4: the lines
# must agree), then beam 1 on the GPU, and PyTorch's twin; sentences/s from the log lines.
if ((FULL)); then
    D=$OUT/decode.log
    if [[ ${RC[parity_gpu_run]} == 0 ]]; then
        head -n "$DECODE_LINES" "$T/train.en" >"$T/decode.en"
        dec=(translate -m "$T/gpu.safetensors" -i "$T/decode.en" --mini-batch 64)
        run_phase decode_gpu_beam4 60 "$D" "${ours[@]}" "$DEEPNET_GPU" "${dec[@]}" -b 4 -o "$T/dec_gpu4.txt" --devices 0
        run_phase decode_cpu_beam4 90 "$D" "${ours[@]}" "$DEEPNET_CPU" "${dec[@]}" -b 4 -o "$T/dec_cpu4.txt" --cpu-threads 8
        run_phase decode_gpu_beam1 60 "$D" "${ours[@]}" "$DEEPNET_GPU" "${dec[@]}" -b 1 -o "$T/dec_gpu1.txt" --devices 0
        if [[ ${RC[decode_gpu_beam4]} == 0 && ${RC[decode_cpu_beam4]} == 0 ]]; then
            same=$(paste -d '\t' "$T/dec_gpu4.txt" "$T/dec_cpu4.txt" | awk -F '\t' '$1 == $2' | wc -l)
            echo "decode parity: $same of $(wc -l <"$T/dec_cpu4.txt") lines identical, GPU vs CPU, beam 4" >>"$D"
        fi
        if ((TORCH)); then
            run_phase decode_torch_beam4 120 "$D" python3 tests/bench/peer_pytorch_translate.py -m "$T/gpu.safetensors" \
                -i "$T/decode.en" --mini-batch 64 -b 4 --device cuda --compare "$T/dec_gpu4.txt"
        fi
    fi
fi
for f in "$WORK"/bench_*.txt "$WORK"/torch.txt; do
    [[ -f $f ]] && { echo "===== $(basename "$f" .txt)"; cat "$f"; }
done >"$OUT/bench.log"

# ---- summary, last so that the tool's output tail shows it.
{
    echo "== gpu-check summary ($MODE): ${GPU:-no GPU found}, $(elapsed) s"
    for k in $(printf '%s\n' "${!RC[@]}" | sort); do printf '%s=%s ' "$k" "${RC[$k]}"; done
    echo
    echo "-- tests"
    grep -E "test cases|All tests passed|FAILED|failed|skipped" "$OUT/tests.log" | tail -8
    echo "-- parity"
    grep -E "^(loss per token|gradients|losses|weights|parity|bitwise|FAIL)" "$P" | tail -16
    echo "-- memory (plan vs allocator, GPU run)"
    grep -E "  total|memory after the first update" "$P" | tail -2
    echo "-- decoding"
    grep -E "sentences/s|decode parity|identical" "$OUT/decode.log" 2>/dev/null | tail -8
    for k in parity_step parity_cpu_run parity_gpu_run parity_compare nccl_1rank_run nccl_1rank_compare; do
        if [[ -n ${RC[$k]:-} && ${RC[$k]} != 0 ]]; then
            echo "$k failed (rc ${RC[$k]}); the log's end:" && tail -n 4 "$P" && break
        fi
    done
    python3 scripts/gpu_check_ratios.py "$WORK"
} | tee "$OUT/summary.txt"
# The exit code: the tests' and the parity's (benchmarks print figures; they judge nothing).
for k in pack tests parity_step parity_cpu_run parity_gpu_run parity_compare nccl_1rank_run nccl_1rank_compare; do
    [[ ${RC[$k]:-0} != 0 ]] && exit 1
done
exit 0
