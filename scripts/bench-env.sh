# Sourced by the peer benchmarks (bench-train.sh, bench-translate.sh) after they set
# $threads: gives DeepNet and PyTorch the same runtime. The OpenBLAS kernel family is chosen
# as src/core/blas_setup.cpp chooses it (a user's OPENBLAS_CORETYPE is kept).
if [ -z "${OPENBLAS_CORETYPE:-}" ]; then
    flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
    has() { for f in "$@"; do [[ $flags == *" $f "* ]] || return 1; done; }
    if has avx512f avx512bw avx512dq avx512vl; then OPENBLAS_CORETYPE=SkylakeX
    elif has avx2 fma; then OPENBLAS_CORETYPE=Haswell; fi
fi
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-} OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads
# Idle OpenMP threads sleep instead of spinning (both sides): on this shared 2-core machine a
# spinning worker steals the core its partner needs, which cost PyTorch up to 5x and DeepNet
# up to 2x per training step under load. WAIT_POLICY=default leaves each runtime's default.
wait_policy=${WAIT_POLICY:-PASSIVE}
if [ "$wait_policy" = default ]; then unset OMP_WAIT_POLICY; else export OMP_WAIT_POLICY=$wait_policy; fi
