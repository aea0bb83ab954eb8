#!/usr/bin/env bash
# tests/k8s/run.sh [MODE] - ctest's k8s tests (label k8s):
#   run.sh            validates docker/k8s/*.yaml and docker/k8s/restore/*.yaml (validate.js)
#   run.sh secrets CLI  makes keys with docker/provision-keys.sh (CLI: the
#                     planwatch to use) and validates make-secrets.sh's Secrets
#   run.sh selftest   breaks a copy of them in several ways, one at a time,
#                     and checks that the validator refuses each with its reason
#                     (a validator that passes everything fails here)
# Needs node and tests/k8s/node_modules (`npm ci` there: scripts/test.sh
# does it); without them it exits 77, which ctest counts as skipped.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
manifests=$here/../../docker/k8s
if ! command -v node >/dev/null 2>&1 || [ ! -d "$here/node_modules/kubernetes-models" ]; then
    echo "skipped: needs node and 'npm ci' in tests/k8s (scripts/test.sh runs it)"
    exit 77
fi
case ${1:-manifests} in
manifests) exec node "$here/validate.js" "$manifests" "$manifests/restore" ;;
selftest) ;;
secrets) # keys as docker/provision-keys.sh makes them, through make-secrets.sh
    cli=${2:?run.sh secrets PLANWATCH_CLI}
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    PLANWATCH_CLI=$cli "$manifests/../provision-keys.sh" "$tmp/keys" "$tmp/offices" pj2-office \
        >"$tmp/provision.log" 2>&1 || { cat "$tmp/provision.log"; exit 1; }
    "$manifests/make-secrets.sh" "$tmp/keys" >"$tmp/secrets.yaml"
    node "$here/validate.js" --secrets "$tmp/secrets.yaml" || exit 1
    # no office's secret key goes in (their public keys are in the registry)
    office=$(sed -n 's/^ *secret-key = "\(.*\)"$/\1/p' "$tmp/offices/pj2-office.key_secret")
    [ -n "$office" ] || { echo "no office secret key made"; exit 1; }
    sed -n 's/^  [^ ]*: \([A-Za-z0-9+/=]*\)$/\1/p' "$tmp/secrets.yaml" | while read -r b; do base64 -d <<<"$b"; done >"$tmp/decoded"
    grep -q 'secret-key' "$tmp/decoded" || { echo "cannot decode the Secrets"; exit 1; }
    if grep -qF "$office" "$tmp/decoded"; then echo "an office's secret key is in the Secrets"; exit 1; fi
    rm -f "$tmp/keys/alert.key_secret"
    if "$manifests/make-secrets.sh" "$tmp/keys" >/dev/null 2>"$tmp/err"; then
        echo "make-secrets.sh made Secrets without alert.key_secret"; exit 1
    fi
    grep -q 'alert.key_secret is missing' "$tmp/err" || { cat "$tmp/err"; exit 1; }
    echo "make-secrets.sh: valid Secrets, each key where the manifests mount it; a missing key is refused"
    exit 0 ;;
*) echo "usage: run.sh [manifests|selftest|secrets CLI]"; exit 2 ;;
esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
# mutate NAME FILE SED-SCRIPT EXPECTED: the copy with FILE edited must be refused saying EXPECTED
mutate() {
    rm -rf "$tmp/m" && cp -r "$manifests" "$tmp/m"
    sed -i "$3" "$tmp/m/$2"
    if cmp -s "$manifests/$2" "$tmp/m/$2"; then
        echo "FAIL $1: the edit changed nothing in $2 (update this self-test)"; fails=$((fails + 1)); return
    fi
    if node "$here/validate.js" "$tmp/m" "$tmp/m/restore" >"$tmp/out" 2>&1; then
        echo "FAIL $1: the validator accepted it"; fails=$((fails + 1))
    elif ! grep -qF -- "$4" "$tmp/out"; then
        echo "FAIL $1: refused, but not saying '$4':"; cat "$tmp/out"; fails=$((fails + 1))
    else
        echo "ok   $1: $(grep -F -- "$4" "$tmp/out" | head -1)"
    fi
}
mutate "misspelt field" store.yaml '0,/readOnlyRootFilesystem: true/s//readOnlyRootFileSystem: true/' 'unknown field spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem'
mutate "wrong type" alert.yaml 's/containerPort: 7606}/containerPort: "7606"}/' 'containerPort must be integer'
mutate "bad enum" ingest.yaml 's/imagePullPolicy: IfNotPresent/imagePullPolicy: Sometimes/' 'imagePullPolicy must be equal to one of the allowed values'
mutate "two stores" store.yaml 's/replicas: 1 /replicas: 2 /' 'replicas must be 1'
mutate "rolling store" store.yaml 's/strategy: {type: Recreate}/strategy: {type: RollingUpdate}/' 'strategy Recreate'
mutate "capabilities kept" http.yaml 's/capabilities: {drop: \[ALL\]}/capabilities: {drop: [NET_RAW]}/' 'capabilities must drop ALL'
mutate "root" ingest.yaml 's/runAsNonRoot: true/runAsNonRoot: false/' 'runAsNonRoot must be true'
mutate "escalation" alert.yaml 's/allowPrivilegeEscalation: false/allowPrivilegeEscalation: true/' 'allowPrivilegeEscalation must be false'
mutate "no limits" store.yaml 's/limits: {cpu: "1", memory: 1Gi}/limits: {cpu: "1"}/' 'resources.limits.memory must be set'
mutate "http probe" ingest.yaml '0,/readinessProbe:/s//readinessProbe: {httpGet: {port: 7601}}\n          unusedProbe:/' 'readinessProbe must be an exec probe'
mutate "config key" alert.yaml 's/key: alert-interval-ms}/key: alert-intervals}/' 'has no key alert-intervals'
mutate "secret name" http.yaml 's/secretName: planwatch-http-key/secretName: planwatch-web-key/' 'Secret planwatch-web-key is not one make-secrets.sh makes'
mutate "service port" store.yaml 's/targetPort: query}/targetPort: queries}/' 'targetPort queries is no container port'
mutate "committed secret" config.yaml '$a ---\napiVersion: v1\nkind: Secret\nmetadata: {name: planwatch-keys}\ndata: {}' 'a Secret is committed'
mutate "restore as root" restore/restore.yaml 's/runAsNonRoot: true/runAsNonRoot: false/' 'Pod/planwatch-restore container restore: runAsNonRoot must be true'
mutate "YAML" config.yaml 's/^  log-level: info/  log-level: info\n  log-level: debug/' 'YAML: '
[ "$fails" -eq 0 ] || { echo "$fails self-test cases failed"; exit 1; }
echo "validator self-test: every broken copy refused"
