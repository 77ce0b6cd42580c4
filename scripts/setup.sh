#!/usr/bin/env bash
# Installs the Debian packages DeepNet needs (only those missing; apt-get update first)
# and builds everything into build/. Idempotent: a second run only rebuilds what changed.
#   scripts/setup.sh [extra cmake args, e.g. -DDEEPNET_CUDA=OFF]
#   scripts/setup.sh --sanitize [...]  ASan + UBSan build of deepnet and its tests, build-asan/
#   scripts/setup.sh --fuzz [...]      the libFuzzer targets (clang), build-fuzz/
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake ninja-build g++ pkg-config zlib1g-dev libyaml-cpp-dev libcli11-dev
          libsentencepiece-dev sentencepiece catch2 libopenblas-openmp-dev libdnnl-dev
          openmpi-bin libopenmpi-dev libboost-context-dev  # Boost.Context: the emulated CUDA tests
          jq gnuplot-nox)  # the training plots and the depth sweep (scripts/plot-training.sh)
build_dir=build
config=(-DCMAKE_BUILD_TYPE=Release)
case "${1:-}" in
    --sanitize)
        shift
        build_dir=build-asan
        config=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DDEEPNET_SANITIZE=ON -DDEEPNET_CUDA=OFF
                -DDEEPNET_BUILD_BENCH=OFF) ;;
    --fuzz)
        shift
        build_dir=build-fuzz
        packages+=(clang libclang-rt-14-dev libomp-14-dev)  # libFuzzer; OpenMP for clang
        config=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang
                -DCMAKE_CXX_COMPILER=clang++ -DDEEPNET_FUZZ=ON -DDEEPNET_CUDA=OFF
                -DDEEPNET_MPI=OFF -DDEEPNET_BUILD_TESTS=OFF -DDEEPNET_BUILD_BENCH=OFF) ;;
esac
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

jobs=$(nproc)
cmake -S . -B "$build_dir" -G Ninja "${config[@]}" "$@"
cmake --build "$build_dir" -j "$jobs"
echo "setup: built $build_dir/deepnet (and its aliases $build_dir/deepnet-train, $build_dir/deepnet-translate)"
