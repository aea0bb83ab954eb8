#!/usr/bin/env bash
# The whole test suite: installs dependencies, builds with ASan/UBSan/LSan and
# runs every test (unit and integration) with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
build=${PW_TEST_BUILD:-build-test}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DPW_SANITIZE=ON >/dev/null
cmake --build "$build" -j"$(nproc)"
cd "$build"
ctest --output-on-failure -j"$(nproc)" --timeout 300 "$@"
