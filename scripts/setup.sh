#!/usr/bin/env bash
# Installs the Debian packages DeepNet needs (only those missing; apt-get update first)
# and builds everything into build/. Idempotent: a second run only rebuilds what changed.
#   scripts/setup.sh [extra cmake args, e.g. -DDEEPNET_CUDA=OFF]
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake ninja-build g++ pkg-config zlib1g-dev libyaml-cpp-dev libcli11-dev
          libsentencepiece-dev sentencepiece catch2 libopenblas-openmp-dev libdnnl-dev
          openmpi-bin libopenmpi-dev)
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
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "$@"
cmake --build build -j "$jobs"
echo "setup: built build/deepnet (and its aliases build/deepnet-train, build/deepnet-translate)"
