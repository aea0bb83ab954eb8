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
# the browser tests' one npm package, exactly as locked (tests/browser/package-lock.json)
(cd tests/browser && npm ci --no-audit --no-fund >/dev/null)
# the Kubernetes manifests' validator (ctest -L k8s): its npm packages, as locked
(cd tests/k8s && npm ci --no-audit --no-fund --silent)
(cd "$build" && ctest --output-on-failure -j"$(nproc)" --timeout 300 "$@")
# the README's first command, on this build, in a run dir of its own: it
# must feed every sample row, record the seeds' assessments and print status,
# and end with the dashboard's URL, which then serves the dashboard
demo_run=$(mktemp -d)
demo_dashboard() { # the URL of the demo's last line answers with the dashboard
  local url
  url=$(tail -n 1 "$demo_run/demo.out")
  [[ $url =~ ^http://127\.0\.0\.1:[0-9]+/$ ]] || { echo "the demo's last line is not a dashboard URL: $url" >&2; return 1; }
  curl -fsS --max-time 30 "$url" >"$demo_run/dashboard.html" &&
    grep -q '<h1>医療分野研究開発推進計画 進捗ダッシュボード' "$demo_run/dashboard.html" &&
    grep -q 'p2-pj2-class34-approvals' "$demo_run/dashboard.html"
}
if PLANWATCH_BUILD_DIR=$build PLANWATCH_RUN_DIR=$demo_run ./scripts/demo.sh >"$demo_run/demo.out" 2>&1 &&
   grep -q " accepted, " "$demo_run/demo.out" &&
   ! grep " accepted, " "$demo_run/demo.out" | grep -qv " 0 rejected, 0 unavailable" &&
   grep -q "assessed A" "$demo_run/demo.out" && demo_dashboard; then
  PLANWATCH_BUILD_DIR=$build PLANWATCH_RUN_DIR=$demo_run ./scripts/demo.sh stop >/dev/null
  echo "demo: 1 passed, 0 failed"
  rm -rf "$demo_run"
else
  PLANWATCH_BUILD_DIR=$build PLANWATCH_RUN_DIR=$demo_run ./scripts/demo.sh stop >/dev/null || true
  tail -30 "$demo_run/demo.out" >&2
  echo "demo: 0 passed, 1 failed"
  exit 1
fi
if [ "${PW_SKIP_CONTAINERS:-0}" != 1 ]; then
  PW_CLI="$PWD/$build/cli/planwatch" ./tests/container/run.sh
fi
