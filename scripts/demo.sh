#!/usr/bin/env bash
# The newcomer's first command: installs what is missing, builds planwatch and
# runs it on the built-in catalogs (plans 2 and 3) with the seeds' sample feeds.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
pw=./build/cli/planwatch
echo "== 2nd plan at the end of FY2022 (2023-03-31) =="
$pw status --feed catalog/feeds/plan2-fy2022.csv --as-of 2023-03-31 | grep -E '^(ID|p2-)|indicators:'
echo
echo "== 2nd plan at the end of FY2024 (2025-03-31) =="
$pw status --feed catalog/feeds/plan2-fy2024.csv --as-of 2025-03-31 | grep -E '^(ID|p2-)'
echo
echo "== 3rd plan at the end of FY2025 (2026-03-31) =="
$pw status --feed catalog/feeds/plan3-fy2025.csv --as-of 2026-03-31 | grep -E '^(ID|p3-)'
