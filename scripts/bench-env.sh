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
# Idle OpenMP threads of both sides wait as DeepNet's do by default (src/core/blas_setup.cpp):
# spin 3,000 rounds (~0.1 ms), then sleep. Endless spinning steals the partner's core on a
# shared machine; never spinning pays a wake-up at each of thousands of parallel regions.
# WAIT_POLICY=PASSIVE|ACTIVE sets OMP_WAIT_POLICY instead; WAIT_POLICY=default leaves each
# runtime's own default.
wait_policy=${WAIT_POLICY:-SPIN3000}
case "$wait_policy" in
    SPIN3000) unset OMP_WAIT_POLICY; export GOMP_SPINCOUNT=3000 ;;
    default) unset OMP_WAIT_POLICY GOMP_SPINCOUNT ;;
    *) unset GOMP_SPINCOUNT; export OMP_WAIT_POLICY=$wait_policy ;;
esac
