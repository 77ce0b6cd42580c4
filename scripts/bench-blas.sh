#!/usr/bin/env bash
# The CPU BLAS choice, measured: bench_gemm (the model's GEMM shapes) under each OpenBLAS
# kernel family and under BLIS (its cblas preloaded over OpenBLAS's), same machine, same run.
#   scripts/bench-blas.sh [threads]     (after scripts/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-2}
bench=build/bench/bench_gemm
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), threads: $threads, $(date -u +%F)"
for core in Prescott Haswell SkylakeX; do
    if [ "$core" = SkylakeX ] && ! grep -q avx512bw /proc/cpuinfo; then continue; fi
    if [ "$core" = Haswell ] && ! grep -q avx2 /proc/cpuinfo; then continue; fi
    printf "OpenBLAS %-9s " "$core"
    OPENBLAS_CORETYPE=$core OMP_NUM_THREADS=$threads $bench "$threads" | tail -1
done
printf "OpenBLAS (auto + deepnet guard) "
OMP_NUM_THREADS=$threads $bench "$threads" | grep -E 'BLAS core|ceiling' | tr '\n' ' '; echo
blis=/usr/lib/x86_64-linux-gnu/blis-openmp/libblis.so.4
if [ -e $blis ]; then
    printf "BLIS 0.9 (openmp)  "
    LD_PRELOAD=$blis BLIS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads $bench "$threads" | tail -1
fi
