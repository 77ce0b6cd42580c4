#!/usr/bin/env bash
# Sets up (installs what is missing, builds into build/) and runs the test suite with CTest.
# Slow cases ([slow]) are not in the default set: build/tests/deepnet_tests "[slow]".
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh "$@"
cd build
OMP_NUM_THREADS=${OMP_NUM_THREADS:-2} ctest --output-on-failure -j "$(nproc)"
