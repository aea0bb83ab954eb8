#!/usr/bin/env bash
# The newcomer's first command. On a fresh Debian 12 machine: installs what is
# missing, builds, starts the three services (store, ingest, alert) with the
# built-in catalogs of plans 2 and 3, and the HTTP door with its dashboard,
# sends the seeds' sample feeds through ingest, prints today's status table
# and the alerts that fired, and leaves the services running; its last line
# is the dashboard's URL.
#   scripts/demo.sh          start (or restart) and run the demo
#   scripts/demo.sh stop     stop the services (SIGTERM: clean shutdown)
# Data, logs and pid files live in run/ (PLANWATCH_RUN_DIR); default ports
# 7601-7606 on loopback, the dashboard on 127.0.0.1:7607 (PLANWATCH_HTTP_PORT). Security is on, as in production: the first run makes
# CURVE key pairs for the services and a "demo" office and an office registry
# (docker/provision-keys.sh, into run/keys/) that lets the demo office write
# plans 2 and 3, read and subscribe.
set -euo pipefail
cd "$(dirname "$0")/.."
run=${PLANWATCH_RUN_DIR:-$PWD/run}
build=${PLANWATCH_BUILD_DIR:-build}   # scripts/test.sh runs the demo on its own build
pw=./$build/cli/planwatch
http_port=${PLANWATCH_HTTP_PORT:-7607}
dashboard=http://127.0.0.1:$http_port/

stop() {
  for s in http alert ingest store; do
    if [ -f "$run/$s.pid" ]; then
      pid=$(cat "$run/$s.pid")
      # only our service: after a reboot the pid may be someone else's
      case "$(readlink "/proc/$pid/exe" 2>/dev/null)" in
        */planwatch-$s) kill "$pid" 2>/dev/null || true ;;
        *) rm -f "$run/$s.pid"; continue ;;
      esac
      # a clean shutdown takes well under 5 s; wait for it, bounded
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      if kill -0 "$pid" 2>/dev/null; then
        echo "planwatch-$s (pid $pid) is still stopping; see $run/$s.log" >&2
      else
        rm -f "$run/$s.pid"
      fi
    fi
  done
}

if [ "${1:-}" = stop ]; then
  stop
  echo "planwatch services stopped (data kept in $run)"
  exit 0
fi

./scripts/deps.sh
[ -f "$build/CMakeCache.txt" ] || cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
stop
mkdir -p "$run"
keys=$run/keys
PLANWATCH_CLI=$pw ./docker/provision-keys.sh "$keys" "$keys" demo secretariat:manage >/dev/null
export PLANWATCH_REGISTRY=$keys/registry.yaml PLANWATCH_KEY=$keys/demo.key_secret
export PLANWATCH_INGEST_KEY=$keys/ingest.key PLANWATCH_STORE_KEY=$keys/store.key
export PLANWATCH_ALERTS_KEY=$keys/alert.key
unset PLANWATCH_INSECURE
start() {
  local name=$1; shift
  "./$build/services/$name/planwatch-$name" "$@" >>"$run/$name.log" 2>&1 &
  echo $! >"$run/$name.pid"
}
start store --data-dir="$run/store" --secret-key="$keys/store.key_secret"
start ingest --secret-key="$keys/ingest.key_secret"
start alert --data-dir="$run/alert" --interval-ms=10000 --secret-key="$keys/alert.key_secret"
wait_ready() { # bounded in time: "not ready" answers come back at once
  local end=$((SECONDS + 60))
  until $pw health "$1" --timeout-ms 500 >/dev/null 2>&1; do
    [ $SECONDS -lt $end ] || { echo "$1 did not become ready; see $run/$1.log" >&2; exit 1; }
    sleep 0.1
  done
}
wait_ready store; wait_ready ingest; wait_ready alert
# the HTTP door: the dashboard and the read API, as the demo office's
# services see them (reads need no token on loopback)
start http --secret-key="$keys/http.key_secret" --listen="127.0.0.1:$http_port"
http_ready() { # GET /api/v1/health: 200 once the store's catalog is loaded
  curl -fsS -o /dev/null --max-time 2 "${dashboard}api/v1/health" 2>/dev/null
}
end=$((SECONDS + 60))
until http_ready; do
  [ $SECONDS -lt $end ] || { echo "planwatch-http did not become ready; see $run/http.log" >&2; exit 1; }
  kill -0 "$(cat "$run/http.pid")" 2>/dev/null || { tail -5 "$run/http.log" >&2; exit 1; }
  sleep 0.1
done

$pw watch >"$run/alerts.txt" 2>"$run/watch.err" &
watch_pid=$!
trap 'kill $watch_pid 2>/dev/null || true' EXIT   # whatever stops the demo
end=$((SECONDS + 60))
until grep -q 'planwatch: watching' "$run/watch.err" 2>/dev/null; do
  kill -0 $watch_pid 2>/dev/null || { cat "$run/watch.err" >&2; exit 1; }
  [ $SECONDS -lt $end ] || { echo "planwatch watch did not subscribe within 60 s" >&2; exit 1; }
  $pw health alert --timeout-ms 500 >/dev/null 2>&1 || true   # paced by heartbeats
done

echo "== feeding the seeds' sample feeds through ingest =="
for f in catalog/feeds/plan2-fy2022.csv catalog/feeds/plan2-fy2024.csv catalog/feeds/plan3-fy2025.csv; do
  $pw feed "$f"
done
# the secretariat's own assessments of 16) and 19) (README "The secretariat's assessment");
# recording them needs manage: the demo's secretariat office has it
PLANWATCH_KEY=$keys/secretariat.key_secret $pw assess --file catalog/feeds/plan3-fy2025-assessments.csv
wait_ready alert   # caught up with every committed update
kill $watch_pid 2>/dev/null || true
trap - EXIT

echo
echo "== status today ($(date +%F)), as the store evaluates it =="
$pw status
echo
echo "== alerts that fired ($(wc -l <"$run/alerts.txt") status changes; CRITICAL and WARNING shown) =="
grep -E 'CRITICAL|WARNING' "$run/alerts.txt" || true
cat <<MSG

The services keep running (logs and data in $run), with CURVE on. The CLI
needs the demo office's key and the services' public keys:
  export PLANWATCH_KEY=$keys/demo.key_secret PLANWATCH_INGEST_KEY=$keys/ingest.key
  export PLANWATCH_STORE_KEY=$keys/store.key PLANWATCH_ALERTS_KEY=$keys/alert.key
  $pw status --as-of 2026-03-31      the status at another date
  $pw history p2-pj2-class34-approvals   every revision of one indicator
  $pw watch                           follow alerts as they happen
  scripts/demo.sh stop                stop the services

The dashboard (planwatch-http, log in $run/http.log):
$dashboard
MSG
