#!/usr/bin/env bash
# The whole test suite: installs dependencies, builds with ASan/UBSan/LSan,
# runs every ctest test (unit, golden, fuzz replays, integration), then the
# container test (images built and run with podman, driven by this build's
# CLI). PW_SKIP_CONTAINERS=1 leaves the container test out (a quick local run);
# CI runs everything. Extra arguments go to ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
build=${PW_TEST_BUILD:-build-test}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DPW_SANITIZE=ON >/dev/null
cmake --build "$build" -j"$(nproc)"
(cd "$build" && ctest --output-on-failure -j"$(nproc)" --timeout 300 "$@")
if [ "${PW_SKIP_CONTAINERS:-0}" != 1 ]; then
  PW_CLI="$PWD/$build/cli/planwatch" ./tests/container/run.sh
fi
