#!/usr/bin/env bash
# docker/k8s/make-secrets.sh KEYS_DIR > secrets.yaml
# Turns what docker/provision-keys.sh made in KEYS_DIR (the registry, the
# services' key pairs) into the Secrets the manifests of docker/k8s mount:
#   planwatch-keys          registry.yaml and the public keys (every pod)
#   planwatch-SERVICE-key   SERVICE.key_secret (that service's pod only)
# for SERVICE in store, ingest, alert, http. Writes YAML to stdout, for
# `kubectl apply -f -`; never commit its output. Office key pairs are not
# read: they stay with the offices.
set -euo pipefail
keys=${1:?usage: docker/k8s/make-secrets.sh KEYS_DIR > secrets.yaml}
services=(store ingest alert http)
for f in registry.yaml "${services[@]/%/.key}" "${services[@]/%/.key_secret}"; do
    [ -r "$keys/$f" ] || { echo "make-secrets.sh: $keys/$f is missing or unreadable (docker/provision-keys.sh makes it)" >&2; exit 1; }
done
b64() { base64 -w0 <"$1"; }
secret() { # secret NAME FILE...: one Opaque Secret holding the files
    local name=$1; shift
    printf -- '---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\n  labels: {app.kubernetes.io/part-of: planwatch}\ntype: Opaque\ndata:\n' "$name"
    for f in "$@"; do
        printf '  %s: %s\n' "$f" "$(b64 "$keys/$f")"
    done
}
secret planwatch-keys registry.yaml "${services[@]/%/.key}"
for s in "${services[@]}"; do
    secret "planwatch-$s-key" "$s.key_secret"
done
