#!/usr/bin/env bash
# tests/container/run.sh - the container test (CI runs it after the suite):
# builds the images of docker/Dockerfile with podman, starts
# docker/compose.yaml with podman-compose - secure: CURVE keys and the office
# registry made by docker/provision-keys.sh - feeds the seeds' sample feeds
# through the published office port with the host's CLI, checks the status
# report (byte for byte the offline evaluation of the same files) and that
# an alert reaches a subscriber on the published alert port, opens the
# dashboard through the HTTP door's port (published on 127.0.0.1 only),
# checks the metrics, takes a backup while the store runs, stops the store container
# (SIGTERM: exit 0) and starts it again (nothing lost: same report, a
# resend is all duplicates), restores the backup into a fresh volume and
# gets the same report from a store started on it, then tears everything
# down. Then the Kubernetes manifests (docker/k8s) run on the same images with
# `podman kube play`: fed, the status read, an alert seen, the dashboard
# opened, every probe run, a backup restored into a new claim, then torn down. Every wait has a deadline; no
# sleep is used to synchronise.
#
# Needs root (podman is used rootful) or sudo, and Debian's package mirror.
# Installs podman, runc, podman-compose, debootstrap, the CNI dnsname plugin
# (containers find each other by service name), catatonit (the pause process
# of `podman kube play`'s pods), curl and docker-compose (to validate the
# compose file offline) when missing; lints the Dockerfile with
# dockerfilelint when npm is there; makes
# the local base image the Dockerfile's FROM names with debootstrap when it
# is missing (no registry is needed: never pulls). Settings (environment):
#   PW_CONTAINER_WORK     podman storage, config and cache (/var/tmp/planwatch-containers)
#   PW_CONTAINER_PROJECT  compose project name (pwct)
#   PW_CONTAINER_PORTS    host ports for the office, alert and HTTP ports ("17601 17606 17607")
#   PW_CONTAINER_TAG      the images' tag (test)
#   PW_CLI                the planwatch CLI to use on the host (default: build one)
# To start from nothing: umount "$PW_CONTAINER_WORK/storage/overlay" (podman's
# overlay driver keeps it mounted), then remove the work folder.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
work=${PW_CONTAINER_WORK:-/var/tmp/planwatch-containers}
project=${PW_CONTAINER_PROJECT:-pwct}
read -r port_in port_alerts port_http <<<"${PW_CONTAINER_PORTS:-17601 17606 17607}"
port_http=${port_http:-17607}
tag=${PW_CONTAINER_TAG:-test}
day=2026-03-31 # = PLANWATCH_CLOCK in compose.test.yaml
feeds=(catalog/feeds/plan2-fy2022.csv catalog/feeds/plan2-fy2024.csv catalog/feeds/plan3-fy2025.csv)
t0=$(date +%s)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pw-container-XXXXXX")
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

log() { printf '%s container-test: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
trap '$sudo rm -rf "$tmp"' EXIT # until the services are up (then: cleanup below)
fail() {
    log "FAIL: $*"
    exit 1
}
declare -A took
stage_start=$t0
stage() { # stage NAME: records the time since the previous stage
    local now
    now=$(date +%s)
    took[$1]=$((now - stage_start))
    stage_start=$now
    log "$1 done in ${took[$1]} s"
}

# --- 1. tools ---------------------------------------------------------------
missing=()
for p in podman runc podman-compose debootstrap golang-github-containernetworking-plugin-dnsname \
    catatonit curl docker-compose; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
fi
stage apt

# --- 2. podman settings kept in the work folder (not /etc) -------------------
# runc: crun refuses this kernel's hybrid cgroup layout; ulimits: podman's
# defaults are above the machine's hard limits.
mkdir -p "$work/storage" "$work/run"
cat >"$work/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
EOF
cat >"$work/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$work/storage"
runroot = "$work/run"
EOF
export CONTAINERS_CONF=$work/containers.conf CONTAINERS_STORAGE_CONF=$work/storage.conf
# (without systemd podman cannot arm healthcheck timers and says so on every
# start: the test runs the healthchecks itself, so that line is dropped)
podman() {
    $sudo env CONTAINERS_CONF="$CONTAINERS_CONF" CONTAINERS_STORAGE_CONF="$CONTAINERS_STORAGE_CONF" \
        podman "$@" 2> >(grep -v 'unable to get systemd connection' >&2)
}
compose() {
    $sudo env CONTAINERS_CONF="$CONTAINERS_CONF" CONTAINERS_STORAGE_CONF="$CONTAINERS_STORAGE_CONF" \
        PLANWATCH_TAG=$tag PLANWATCH_INGEST_PORT="$port_in" PLANWATCH_ALERTS_PORT="$port_alerts" \
        PLANWATCH_HTTP_PORT="$port_http" \
        PLANWATCH_KEYS_DIR="$keys" \
        podman-compose -p "$project" -f docker/compose.yaml -f tests/container/compose.test.yaml "$@"
}

# --- 3. the base image the Dockerfile names, made locally --------------------
base=$(sed -n 's/^FROM \(debian:[^ ]*\) AS build$/\1/p' docker/Dockerfile)
[ -n "$base" ] || fail "docker/Dockerfile has no 'FROM debian:... AS build' line"
if ! podman image exists "docker.io/library/$base"; then
    if ! podman image exists docker.io/library/debian:bookworm; then
        # the machine's own mirror: deb822 (debian.sources) or a classic sources.list
        mirror=$({ sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true
                   sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\(https\{0,1\}:[^ ]*\) .*/\2/p' /etc/apt/sources.list 2>/dev/null || true
                 } | awk 'NR == 1')   # awk reads it all: no SIGPIPE under pipefail
        mirror=${mirror:-http://deb.debian.org/debian}
        # the root file system is kept (rootfs/, complete once .complete is
        # there), so a wiped image store is refilled without debootstrap
        if [ ! -e "$work/rootfs/.complete" ]; then
            log "making the base image with debootstrap from $mirror"
            $sudo rm -rf "$work/rootfs" "$work/rootfs.tmp"
            $sudo debootstrap --variant=minbase bookworm "$work/rootfs.tmp" "$mirror" \
                >"$tmp/debootstrap.log" 2>&1 ||
                { tail -20 "$tmp/debootstrap.log" >&2; fail "debootstrap failed"; }
            $sudo mv "$work/rootfs.tmp" "$work/rootfs"
            $sudo touch "$work/rootfs/.complete"
        fi
        # made like Debian's own -slim images: no documentation, manual pages
        # or translations, no package lists or cached packages - and none
        # kept by later apt-get runs either
        $sudo mkdir -p "$work/rootfs/etc/dpkg/dpkg.cfg.d" "$work/rootfs/etc/apt/apt.conf.d"
        printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
            'path-exclude /usr/share/man/*' 'path-exclude /usr/share/info/*' \
            'path-exclude /usr/share/locale/*' 'path-exclude /usr/share/lintian/*' |
            $sudo tee "$work/rootfs/etc/dpkg/dpkg.cfg.d/docker-slim" >/dev/null
        printf '%s\n' \
            'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };' \
            'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };' \
            'Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";' |
            $sudo tee "$work/rootfs/etc/apt/apt.conf.d/docker-clean" >/dev/null
        $sudo tar -C "$work/rootfs" --exclude ./.complete --exclude './var/cache/apt/archives/*.deb' \
            --exclude './var/cache/apt/*.bin' --exclude './var/lib/apt/lists/*' \
            --exclude './usr/share/man/*' --exclude './usr/share/info/*' \
            --exclude './usr/share/locale/*' -c . |
            podman import --change 'CMD ["/bin/bash"]' - docker.io/library/debian:bookworm >/dev/null
    fi
    # the rootfs is bookworm from this machine's mirror; the Dockerfile pins
    # the point release; say so when they differ
    have=$(podman run --rm docker.io/library/debian:bookworm cat /etc/debian_version 2>/dev/null || echo '?')
    [ "debian:$have-slim" = "$base" ] || log "note: local bookworm is $have, the Dockerfile pins $base"
    podman tag docker.io/library/debian:bookworm "docker.io/library/$base"
fi
stage base_image

# --- 3b. lint: the Dockerfile (dockerfilelint, when npm is there) and the
# compose file (docker-compose 1.29 validates it offline) ---------------------
if command -v npm >/dev/null 2>&1; then
    command -v dockerfilelint >/dev/null 2>&1 ||
        $sudo npm install -g --silent dockerfilelint >/dev/null 2>&1 || log "note: dockerfilelint did not install"
    if command -v dockerfilelint >/dev/null 2>&1; then
        dockerfilelint -c docker docker/Dockerfile >"$tmp/lint.log" 2>&1 ||
            { cat "$tmp/lint.log" >&2; fail "dockerfilelint found problems in docker/Dockerfile"; }
    fi
else
    log "note: no npm, Dockerfile not linted"
fi
docker-compose -f docker/compose.yaml config -q || fail "docker/compose.yaml is not valid"
stage lint

# --- 4. images (never pulled) --------------------------------------------------
for t in store ingest alert http; do
    podman build --pull=never --format docker --target "$t" -t "localhost/planwatch-$t:$tag" \
        -f docker/Dockerfile . >"$tmp/build-$t.log" 2>&1 ||
        { tail -30 "$tmp/build-$t.log" >&2; fail "podman build --target $t failed"; }
done
stage build

# --- 5. the host's CLI --------------------------------------------------------
pw=${PW_CLI:-}
if [ -z "$pw" ]; then
    ./scripts/deps.sh
    cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build build -j"$(nproc)" --target planwatch-cli >/dev/null
    pw=$root/build/cli/planwatch
fi
export PLANWATCH_INGEST=tcp://127.0.0.1:$port_in PLANWATCH_ALERTS=tcp://127.0.0.1:$port_alerts
export PLANWATCH_OFFICE=container-test
# CURVE keys and the registry, as an operator makes them: the services' in
# $keys (mounted read-only into the containers, owned by their user), the
# office's in $tmp/office; the host CLI is that office, with copies of the
# services' public keys it may read
keys=$tmp/keys
PLANWATCH_CLI=$pw docker/provision-keys.sh "$keys" "$tmp/office" container-test >/dev/null 2>&1 ||
    fail "docker/provision-keys.sh failed"
mkdir -p "$tmp/cli"
cp "$keys/ingest.key" "$keys/alert.key" "$tmp/cli/"
$sudo chown -R 10001:10001 "$keys"
export PLANWATCH_KEY=$tmp/office/container-test.key_secret
export PLANWATCH_INGEST_KEY=$tmp/cli/ingest.key PLANWATCH_ALERTS_KEY=$tmp/cli/alert.key
stage cli_and_keys

# --- 6. up ---------------------------------------------------------------------
cleanup() {
    local rc=$?
    set +e
    if [ $rc -ne 0 ]; then
        for s in store ingest alert http; do
            log "last lines of ${project}_${s}_1:"
            podman logs --tail 25 "${project}_${s}_1" 2>&1 | sed "s/^/[$s] /" >&2
        done
    fi
    [ -n "${watch_pid:-}" ] && kill "$watch_pid" 2>/dev/null
    podman rm -f "${project}_restored_store" "${project}_http_image" >/dev/null 2>&1
    podman volume rm -f "${project}_restored" >/dev/null 2>&1
    compose down -v >"$tmp/down.log" 2>&1 || cat "$tmp/down.log" >&2
    podman network rm -f "${project}_default" >/dev/null 2>&1
    $sudo rm -rf "$tmp"
    exit $rc
}
trap cleanup EXIT
# what an interrupted run left; the network is made anew so that it has the
# dnsname plugin even if it was made before the plugin was installed
compose down -v >/dev/null 2>&1 || true
podman network rm -f "${project}_default" >/dev/null 2>&1 || true
compose up -d >"$tmp/up.log" 2>&1 || { cat "$tmp/up.log" >&2; fail "podman-compose up failed"; }

# `planwatch health SERVICE` in its own container takes the service name;
# the HTTP door's is GET /api/v1/health (the image has bash, no HTTP client)
http_health='exec 3<>/dev/tcp/127.0.0.1/7607 && printf "GET /api/v1/health HTTP/1.0\r\n\r\n" >&3 && head -n 1 <&3 | grep " 200 "'
health_of() {
    if [ "$1" = http ]; then
        podman exec "${project}_http_1" bash -c "$http_health"
    else
        podman exec "${project}_$1_1" planwatch health "$1" --timeout-ms 3000
    fi
}
wait_service() {
    local end=$(($(date +%s) + 120))
    until health_of "$1" >/dev/null 2>&1; do
        [ "$(podman inspect -f '{{.State.Running}}' "${project}_$1_1" 2>/dev/null)" = true ] ||
            fail "${project}_$1_1 is not running"
        [ "$(date +%s)" -lt "$end" ] || fail "$1 not healthy within 120 s: $(health_of "$1" 2>&1)"
    done
    podman healthcheck run "${project}_$1_1" >/dev/null || fail "the compose healthcheck of $1 fails"
}
for s in store ingest alert http; do wait_service "$s"; done
# each container holds its own secret key and no other service's
for s in store ingest alert http; do
    for o in store ingest alert http; do
        if [ "$o" = "$s" ]; then want=0; else want=1; fi # test -e: 0 there, 1 not
        got=0
        podman exec "${project}_${s}_1" test -e "/etc/planwatch/keys/$o.key_secret" || got=$?
        [ "$got" -eq "$want" ] || fail "$s container: test -e $o.key_secret gave $got, expected $want"
    done
done
stage up

# --- 7. an alert subscriber on the published port, then the feeds -------------
"$pw" watch --count 1 --format json --timeout-ms 60000 >"$tmp/alert.json" 2>"$tmp/watch.err" &
watch_pid=$!
end=$(($(date +%s) + 60))
until grep -q 'planwatch: watching' "$tmp/watch.err" 2>/dev/null; do
    kill -0 "$watch_pid" 2>/dev/null || { cat "$tmp/watch.err" >&2; fail "planwatch watch exited"; }
    [ "$(date +%s)" -lt "$end" ] || fail "planwatch watch did not subscribe within 60 s"
    health_of alert >/dev/null 2>&1 || true # paced by the alert heartbeats
done
total=0
for f in "${feeds[@]}"; do
    out=$("$pw" feed "$f" --timeout-ms 30000) || fail "feed $f: $out"
    echo "$out"
    n=$(sed -n 's/.*: \([0-9]*\) accepted, 0 duplicates, 0 rejected, 0 unavailable$/\1/p' <<<"$out")
    if [ -z "$n" ] || [ "$n" -eq 0 ]; then fail "feed $f: not every row accepted: $out"; fi
    total=$((total + n))
done
log "$total rows accepted through port $port_in"

# --- 8. the status report equals the offline evaluation of the same files ----
store_status() { podman exec "$1" planwatch status --as-of $day --format csv; }
store_status "${project}_store_1" >"$tmp/status.csv" || fail "planwatch status in the store container failed"
feed_args=()
for f in "${feeds[@]}"; do feed_args+=(--feed "$f"); done
"$pw" status "${feed_args[@]}" --as-of $day --format csv >"$tmp/offline.csv" ||
    fail "offline status failed"
cmp -s "$tmp/status.csv" "$tmp/offline.csv" ||
    { diff "$tmp/offline.csv" "$tmp/status.csv" | head -20 >&2; fail "the store's status report differs from the offline one"; }
grep -q '^p2-pj2-class34-approvals,.*,BEHIND,B,' "$tmp/status.csv" ||
    fail "the status report lacks the seeds' BEHIND example"
log "status report: $(($(wc -l <"$tmp/status.csv") - 1)) indicators, identical to the offline evaluation"

# --- 9. an alert reached the subscriber -----------------------------------------
end=$(($(date +%s) + 60))
while kill -0 "$watch_pid" 2>/dev/null; do
    [ "$(date +%s)" -lt "$end" ] || fail "no alert reached planwatch watch within 60 s"
    health_of alert >/dev/null 2>&1 || true
done
wait "$watch_pid" || { cat "$tmp/watch.err" >&2; fail "planwatch watch failed"; }
watch_pid=""
grep -q '"type":"alert"' "$tmp/alert.json" || fail "planwatch watch printed no alert: $(cat "$tmp/alert.json")"
log "alert received on port $port_alerts: $(head -c 200 "$tmp/alert.json")"
# caught up: the alert service has applied every committed update
wait_service alert

# --- 10. metrics, read inside the containers ------------------------------------
metrics() { # metrics SERVICE: GET /metrics on the container's own loopback
    podman exec "${project}_$1_1" bash -c \
        'exec 3<>/dev/tcp/127.0.0.1/9100 && printf "GET /metrics HTTP/1.0\r\n\r\n" >&3 && cat <&3'
}
metric() { awk -v k="$2" '$1 == k {print $2}' <<<"$1"; }
m=$(metrics store) || fail "no metrics from the store"
[ "$(metric "$m" planwatch_store_updates_stored_total)" = "$total" ] ||
    fail "planwatch_store_updates_stored_total is not $total"
m=$(metrics ingest) || fail "no metrics from ingest"
[ "$(metric "$m" 'planwatch_ingest_rows_answered_total{status="accepted"}')" = "$total" ] ||
    fail "ingest's accepted rows are not $total"
m=$(metrics alert) || fail "no metrics from the alert service"
[ "$(metric "$m" planwatch_alert_applied_seq)" = "$total" ] || fail "alert's applied_seq is not $total"

# --- 10b. the dashboard through the HTTP door's published port -------------------
published=$(podman port "${project}_http_1" 7607/tcp) || fail "the HTTP door publishes no port"
[ "$published" = "127.0.0.1:$port_http" ] || fail "the HTTP door is published on $published, not 127.0.0.1:$port_http"
dashboard="http://127.0.0.1:$port_http/"
curl -fsS --max-time 30 "$dashboard" >"$tmp/dashboard.html" || fail "GET $dashboard failed"
grep -q '<h1>医療分野研究開発推進計画 進捗ダッシュボード' "$tmp/dashboard.html" ||
    fail "the dashboard at $dashboard lacks its heading"
grep -q 'data-id="p2-pj2-class34-approvals"' "$tmp/dashboard.html" ||
    fail "the dashboard lacks the seeds' indicator p2-pj2-class34-approvals"
curl -fsS --max-time 30 "${dashboard}api/v1/status?as_of=$day&format=csv" >"$tmp/http-status.csv" ||
    fail "GET /api/v1/status through the HTTP door failed"
cmp -s "$tmp/status.csv" "$tmp/http-status.csv" ||
    { diff "$tmp/status.csv" "$tmp/http-status.csv" | head -10 >&2; fail "the HTTP door's status differs from the store's report"; }
m=$(metrics http) || fail "no metrics from the HTTP door"
[ "$(metric "$m" 'planwatch_http_requests_total{route="/",status="200"}')" -ge 1 ] ||
    fail "planwatch-http counted no GET / in planwatch_http_requests_total"
[ "$(metric "$m" planwatch_http_store_up)" = 1 ] || fail "planwatch_http_store_up is not 1"
grep -q '^planwatch_build_info{' <<<"$m" || fail "planwatch-http's metrics lack planwatch_build_info"
# the image's own HEALTHCHECK (compose sets its own): a second door started
# from the image alone on the compose network
k=/etc/planwatch/keys
podman run -d --name "${project}_http_image" --network "${project}_default" \
    -e PLANWATCH_HTTP_STORE=tcp://store:7604 -e PLANWATCH_HTTP_INGEST=tcp://ingest:7601 \
    -e PLANWATCH_REGISTRY=$k/registry.yaml -e PLANWATCH_HTTP_SECRET_KEY=$k/http.key_secret \
    -e PLANWATCH_STORE_KEY=$k/store.key -e PLANWATCH_INGEST_KEY=$k/ingest.key \
    -v "$keys/registry.yaml:$k/registry.yaml:ro" -v "$keys/store.key:$k/store.key:ro" \
    -v "$keys/ingest.key:$k/ingest.key:ro" -v "$keys/http.key_secret:$k/http.key_secret:ro" \
    "localhost/planwatch-http:$tag" >/dev/null || fail "the http image does not start on its own"
end=$(($(date +%s) + 60))
until podman healthcheck run "${project}_http_image" >/dev/null 2>&1; do
    [ "$(podman inspect -f '{{.State.Running}}' "${project}_http_image")" = true ] ||
        fail "the http image's container exited: $(podman logs --tail 5 "${project}_http_image" 2>&1)"
    [ "$(date +%s)" -lt "$end" ] || fail "the http image's HEALTHCHECK did not pass within 60 s"
done
podman rm -f "${project}_http_image" >/dev/null
log "dashboard served at $dashboard (127.0.0.1 only); its status API equals the store's report; the image's HEALTHCHECK passes"
stage feed_status_alert_metrics

# --- 11. backup while the store runs ---------------------------------------------
podman exec "${project}_store_1" planwatch backup b1 ||
    fail "planwatch backup failed"

# --- 12. stop (SIGTERM) and start the store: nothing lost -------------------------
podman stop -t 10 "${project}_store_1" >/dev/null
code=$(podman inspect -f '{{.State.ExitCode}}' "${project}_store_1")
[ "$code" = 0 ] || fail "the store exited with $code after SIGTERM (want 0: clean shutdown)"
podman start "${project}_store_1" >/dev/null
wait_service store
wait_service ingest
store_status "${project}_store_1" >"$tmp/status2.csv"
cmp -s "$tmp/status.csv" "$tmp/status2.csv" || fail "the status report changed across a store restart"
out=$("$pw" feed "${feeds[2]}" --timeout-ms 30000) || fail "resend failed: $out"
grep -q ': 0 accepted, [1-9][0-9]* duplicates, 0 rejected, 0 unavailable$' <<<"$out" ||
    fail "a resend after the restart was not all duplicates: $out"
log "store restarted cleanly; nothing lost ($out)"
stage backup_restart

# --- 13. restore the backup into a fresh volume ------------------------------------
podman volume create "${project}_restored" >/dev/null
podman run --rm -v "${project}_backups:/var/lib/planwatch/backup:ro" \
    -v "${project}_restored:/var/lib/planwatch/store" --entrypoint planwatch \
    "localhost/planwatch-store:$tag" restore /var/lib/planwatch/backup/b1 /var/lib/planwatch/store ||
    fail "planwatch restore failed"
# secured like the compose store (its own key pair; it never hears an ingest)
k=/etc/planwatch/keys
podman run -d --name "${project}_restored_store" -e PLANWATCH_CLOCK=$day \
    -e PLANWATCH_INSECURE="${PLANWATCH_INSECURE:-false}" -e PLANWATCH_REGISTRY=$k/registry.yaml \
    -e PLANWATCH_STORE_SECRET_KEY=$k/store.key_secret -e PLANWATCH_KEY=$k/store.key_secret \
    -e PLANWATCH_INGEST_KEY=$k/ingest.key -e PLANWATCH_STORE_KEY=$k/store.key -v "$keys:$k:ro" \
    -v "${project}_restored:/var/lib/planwatch/store" "localhost/planwatch-store:$tag" >/dev/null
end=$(($(date +%s) + 60))
until podman exec "${project}_restored_store" planwatch health store --timeout-ms 2000 >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$end" ] ||
        fail "the restored store did not become ready: $(podman logs --tail 10 "${project}_restored_store" 2>&1)"
done
store_status "${project}_restored_store" >"$tmp/status3.csv"
cmp -s "$tmp/status.csv" "$tmp/status3.csv" || fail "the restored store's status report differs"
log "backup restored into a fresh volume: same status report"
stage restore

# --- 14. down -----------------------------------------------------------------------
trap '$sudo rm -rf "$tmp"' EXIT
podman rm -f "${project}_restored_store" >/dev/null
podman volume rm -f "${project}_restored" >/dev/null
compose down -v >"$tmp/down.log" 2>&1 || { cat "$tmp/down.log" >&2; fail "podman-compose down failed"; }
podman network rm -f "${project}_default" >/dev/null 2>&1 || true
stage down

# --- 15. the Kubernetes manifests (docker/k8s) with podman kube play ---------------
# The same images. podman 4.3 plays Deployments, PersistentVolumeClaims and
# ConfigMaps, not Services; its other gaps are bridged on a copy of
# docker/k8s, never in the manifests themselves:
#  - no Services: each pod is addressed by its IP on podman's kube network,
#    so the ConfigMap's endpoints (planwatch-ingest:7601, ...) become the IPs
#    of the pods played before (ingest, then the store, then alert and http);
#  - 4.3 publishes every containerPort on the host (a cluster never does):
#    the ports lists are dropped;
#  - 4.3 mounts a Secret volume's files base64-encoded: the Secrets
#    make-secrets.sh writes are decoded into directories mounted as hostPath
#    volumes instead (checking on the way that they hold the keys byte for byte);
#  - 4.3 breaks exec probes with quoted arguments when it turns them into
#    healthchecks: tests/k8s/probes.js runs every probe as the manifest spells it.
kdir=$tmp/k8s
kube_pods=(planwatch-http-pod-1 planwatch-http-pod-0 planwatch-alert-pod-0 planwatch-store-pod-0
           planwatch-ingest-pod-0 planwatch-restore)
kube_down() {
    podman pod rm -f -t 10 "${kube_pods[@]}" >/dev/null 2>&1 || true
    podman volume rm -f planwatch-store-data planwatch-backups planwatch-store-restored >/dev/null 2>&1 || true
}
kube_fail_logs() {
    local rc=$?
    if [ $rc -ne 0 ]; then
        for s in store ingest alert http; do
            log "last lines of planwatch-$s-pod-0-$s:"
            podman logs --tail 25 "planwatch-$s-pod-0-$s" 2>&1 | sed "s/^/[k8s $s] /" >&2
        done
    fi
    [ -n "${watch_pid:-}" ] && kill "$watch_pid" 2>/dev/null
    kube_down
    $sudo rm -rf "$tmp"
    exit $rc
}
kube_down # what an interrupted run left
trap kube_fail_logs EXIT
mkdir -p "$kdir/secrets"
docker/k8s/make-secrets.sh "$keys" >"$kdir/secrets.yaml" || fail "docker/k8s/make-secrets.sh failed"
awk -v out="$kdir/secrets" '
    /^  name: / { name = $2; system("mkdir -p \"" out "/" name "\""); next }
    /^data:$/ { indata = 1; next }
    /^---$/ { indata = 0; next }
    indata && /^  [^ ]+: / { f = $1; sub(/:$/, "", f)
        print $2 | ("base64 -d > \"" out "/" name "/" f "\""); close("base64 -d > \"" out "/" name "/" f "\"") }
' "$kdir/secrets.yaml"
for f in registry.yaml store.key ingest.key alert.key http.key; do
    cmp -s "$keys/$f" "$kdir/secrets/planwatch-keys/$f" || fail "Secret planwatch-keys does not hold $f"
done
for s in store ingest alert http; do
    cmp -s "$keys/$s.key_secret" "$kdir/secrets/planwatch-$s-key/$s.key_secret" ||
        fail "Secret planwatch-$s-key does not hold $s.key_secret"
done
$sudo chown -R 10001:10001 "$kdir/secrets"
for f in config ingest store alert http; do
    sed -E "s#secret: \{secretName: (planwatch-[a-z-]+),[^}]*\}#hostPath: {path: $kdir/secrets/\1, type: Directory}#
            s#(image: localhost/planwatch-[a-z]+):latest#\1:$tag#" "docker/k8s/$f.yaml" |
        awk 'function flush() { if (doc !~ /\nkind: Service\n/) printf "%s", doc; doc = "" }
             /^---$/ { flush(); doc = "---\n"; next } { doc = doc $0 "\n" } END { flush() }' |
        sed '/^          ports:$/d; /^            - {name: [a-z]*, containerPort: [0-9]*}$/d' >"$kdir/$f.yaml"
    grep -q 'secretName\|containerPort\|kind: Service$' "$kdir/$f.yaml" && fail "k8s/$f.yaml: the podman copy still has a Secret volume, a port or a Service"
done
pod_ip() { podman inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' \
    "$(podman pod inspect -f '{{.InfraContainerID}}' "$1-pod-0")"; }
kube_play() { # kube_play NAME CONFIGMAP
    podman kube play --configmap "$2" "$kdir/$1.yaml" >"$tmp/play-$1.log" 2>&1 ||
        { cat "$tmp/play-$1.log" >&2; fail "podman kube play k8s/$1.yaml failed"; }
}
# "today" fixed as in compose.test.yaml; re-evaluation every 5 s
sed "s#^  clock: \"\"#  clock: \"$day\"#; s#^  alert-interval-ms: \"60000\"#  alert-interval-ms: \"5000\"#" \
    "$kdir/config.yaml" >"$kdir/config-1.yaml"
kube_play ingest "$kdir/config-1.yaml"
ip_ingest=$(pod_ip planwatch-ingest)
sed "s#planwatch-ingest:#$ip_ingest:#" "$kdir/config-1.yaml" >"$kdir/config-2.yaml"
kube_play store "$kdir/config-2.yaml"
ip_store=$(pod_ip planwatch-store)
sed "s#planwatch-store:#$ip_store:#" "$kdir/config-2.yaml" >"$kdir/config-3.yaml"
kube_play alert "$kdir/config-3.yaml"
kube_play http "$kdir/config-3.yaml"
ip_alert=$(pod_ip planwatch-alert)
kube_ready() { # kube_ready SERVICE: its readiness, with a deadline
    local end=$(($(date +%s) + 120)) c="planwatch-$1-pod-0-$1"
    until if [ "$1" = http ]; then podman exec "$c" bash -c "$http_health"; else
              podman exec "$c" planwatch health "$1" --timeout-ms 3000; fi >/dev/null 2>&1; do
        [ "$(podman inspect -f '{{.State.Running}}' "$c" 2>/dev/null)" = true ] || fail "$c is not running"
        [ "$(date +%s)" -lt "$end" ] || fail "$c not ready within 120 s"
    done
}
for s in ingest store alert http; do kube_ready "$s"; done
# the security contexts hold: uid 10001, no capabilities, no new
# privileges, a read-only root file system
for s in store ingest alert http; do
    c="planwatch-$s-pod-0-$s"
    got=$(podman exec "$c" bash -c 'id -u; grep -E "^(CapEff|NoNewPrivs)" /proc/1/status | tr -s "\t" " "; touch /probe 2>/dev/null && echo writable || echo read-only')
    [ "$got" = $'10001\nCapEff: 0000000000000000\nNoNewPrivs: 1\nread-only' ] ||
        fail "$c does not run as its securityContext says: $(tr '\n' ' ' <<<"$got")"
done
# feeds through ingest's pod, an alert from the alert pod, the store's status
PLANWATCH_ALERTS=tcp://$ip_alert:7606 "$pw" watch --count 1 --format json --timeout-ms 60000 \
    >"$tmp/k8s-alert.json" 2>"$tmp/k8s-watch.err" &
watch_pid=$!
end=$(($(date +%s) + 60))
until grep -q 'planwatch: watching' "$tmp/k8s-watch.err" 2>/dev/null; do
    kill -0 "$watch_pid" 2>/dev/null || { cat "$tmp/k8s-watch.err" >&2; fail "planwatch watch (k8s) exited"; }
    [ "$(date +%s)" -lt "$end" ] || fail "planwatch watch did not subscribe to the alert pod within 60 s"
    podman exec planwatch-alert-pod-0-alert planwatch health alert --timeout-ms 1000 >/dev/null 2>&1 || true
done
ktotal=0
for f in "${feeds[@]}"; do
    out=$(PLANWATCH_INGEST=tcp://$ip_ingest:7601 "$pw" feed "$f" --timeout-ms 30000) || fail "feed $f (k8s): $out"
    n=$(sed -n 's/.*: \([0-9]*\) accepted, 0 duplicates, 0 rejected, 0 unavailable$/\1/p' <<<"$out")
    [ -n "$n" ] && [ "$n" -gt 0 ] || fail "feed $f (k8s): not every row accepted: $out"
    ktotal=$((ktotal + n))
done
[ "$ktotal" = "$total" ] || fail "k8s: $ktotal rows accepted, compose took $total"
store_status planwatch-store-pod-0-store >"$tmp/k8s-status.csv" || fail "planwatch status in the store pod failed"
cmp -s "$tmp/offline.csv" "$tmp/k8s-status.csv" ||
    { diff "$tmp/offline.csv" "$tmp/k8s-status.csv" | head -20 >&2; fail "the store pod's status report differs from the offline one"; }
end=$(($(date +%s) + 60))
while kill -0 "$watch_pid" 2>/dev/null; do
    [ "$(date +%s)" -lt "$end" ] || fail "no alert from the alert pod within 60 s"
    podman exec planwatch-alert-pod-0-alert planwatch health alert --timeout-ms 1000 >/dev/null 2>&1 || true
done
wait "$watch_pid" || { cat "$tmp/k8s-watch.err" >&2; fail "planwatch watch (k8s) failed"; }
watch_pid=""
grep -q '"type":"alert"' "$tmp/k8s-alert.json" || fail "no alert from the alert pod: $(cat "$tmp/k8s-alert.json")"
# both replicas of the HTTP door serve the dashboard
for r in 0 1; do
    ip=$(podman inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' \
        "$(podman pod inspect -f '{{.InfraContainerID}}' "planwatch-http-pod-$r")")
    curl -fsS --max-time 30 -o "$tmp/k8s-dashboard-$r.html" "http://$ip:7607/" ||
        fail "GET / on planwatch-http-pod-$r ($ip) failed"
    grep -q '<h1>医療分野研究開発推進計画 進捗ダッシュボード' "$tmp/k8s-dashboard-$r.html" ||
        fail "the dashboard of planwatch-http-pod-$r ($ip) lacks its heading"
done
podman exec planwatch-store-pod-0-store planwatch backup k8s-1 >/dev/null ||
    fail "planwatch backup in the store pod failed (the backups claim)"
# every readiness and liveness probe, as the manifests spell them
if command -v node >/dev/null 2>&1; then
    [ -d tests/k8s/node_modules/yaml ] || (cd tests/k8s && npm ci --no-audit --no-fund --silent) ||
        fail "npm ci in tests/k8s failed"
    $sudo env PATH="$PATH" CONTAINERS_CONF="$CONTAINERS_CONF" CONTAINERS_STORAGE_CONF="$CONTAINERS_STORAGE_CONF" \
        node tests/k8s/probes.js docker/k8s >"$tmp/probes.log" 2>&1 ||
        { cat "$tmp/probes.log" >&2; fail "a probe of docker/k8s fails in its pod"; }
else
    log "note: no node, the manifests' probes were not run"
fi
# a restore as README "Kubernetes" says: the store stopped, docker/k8s/restore's
# pod restores the backup into a new claim, the store started on that claim
podman pod rm -f -t 10 planwatch-store-pod-0 >/dev/null || fail "stopping the store pod failed"
sed -E "s#BACKUP_NAME#k8s-1#; s#(image: localhost/planwatch-[a-z]+):latest#\1:$tag#" \
    docker/k8s/restore/restore.yaml >"$kdir/restore.yaml"
podman kube play "$kdir/restore.yaml" >"$tmp/play-restore.log" 2>&1 ||
    { cat "$tmp/play-restore.log" >&2; fail "podman kube play k8s/restore/restore.yaml failed"; }
end=$(($(date +%s) + 60))
until [ "$(podman inspect -f '{{.State.Status}}' planwatch-restore-restore 2>/dev/null)" = exited ]; do
    [ "$(date +%s)" -lt "$end" ] || fail "the restore pod did not finish within 60 s"
    podman wait --condition exited planwatch-restore-restore >/dev/null 2>&1 || true
done
[ "$(podman inspect -f '{{.State.ExitCode}}' planwatch-restore-restore)" = 0 ] ||
    fail "the restore pod failed: $(podman logs planwatch-restore-restore 2>&1 | tail -3)"
awk 'function flush() { if (doc !~ /\nkind: PersistentVolumeClaim\n/) printf "%s", doc; doc = "" }
     /^---$/ { flush(); doc = "---\n"; next } { doc = doc $0 "\n" } END { flush() }' "$kdir/store.yaml" |
    sed 's#claimName: planwatch-store-data}#claimName: planwatch-store-restored}#' >"$kdir/store-restored.yaml"
grep -q 'claimName: planwatch-store-restored' "$kdir/store-restored.yaml" || fail "store.yaml names no data claim to swap"
kube_play store-restored "$kdir/config-2.yaml"
kube_ready store
store_status planwatch-store-pod-0-store >"$tmp/k8s-restored.csv" || fail "planwatch status on the restored store failed"
cmp -s "$tmp/offline.csv" "$tmp/k8s-restored.csv" ||
    { diff "$tmp/offline.csv" "$tmp/k8s-restored.csv" | head -20 >&2; fail "the store on the restored claim gives another report"; }
log "k8s: $ktotal rows through the ingest pod, status identical, an alert, 2 dashboards, a backup restored into a new claim, $(tail -1 "$tmp/probes.log" 2>/dev/null)"
kube_down
trap '$sudo rm -rf "$tmp"' EXIT
stage k8s
sizes=$(for t in store ingest alert http; do
    podman image inspect -f "{{.Size}}" "localhost/planwatch-$t:$tag" | awk -v t=$t '{printf "%s %.1f MB  ", t, $1 / 1e6}'
done)
log "images: $sizes"
log "timings (s): apt ${took[apt]}, base image ${took[base_image]}, lint ${took[lint]}, build ${took[build]}, cli and keys ${took[cli_and_keys]}, up ${took[up]}, feed+status+alert+metrics ${took[feed_status_alert_metrics]}, backup+restart ${took[backup_restart]}, restore ${took[restore]}, down ${took[down]}, k8s ${took[k8s]}; total $(($(date +%s) - t0))"
echo "container test: 1 passed, 0 failed"
