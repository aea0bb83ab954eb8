#!/usr/bin/env bash
# Makes what a secure planwatch deployment needs, once: CURVE key pairs for
# the services (store, ingest, alert, http) and for one office, and an office
# registry listing them, in DIR:
#   scripts/keys.sh DIR [OFFICE] [--owner UID]
# OFFICE (default "operator") may write plans p2 and p3, read, subscribe and
# manage alerts; edit DIR/registry.yaml to add offices (README "Security").
# --owner UID: the services' secret keys are given to UID (the containers'
# user is 10001) so that a container mounting DIR can read them; the public
# keys and the registry are made readable by all. Existing files are kept.
# Uses PW_CLI, or build/cli/planwatch.
set -euo pipefail
dir=${1:?usage: scripts/keys.sh DIR [OFFICE] [--owner UID]}
shift
office=operator owner=
while [ $# -gt 0 ]; do
  case $1 in
    --owner) owner=${2:?--owner UID}; shift 2 ;;
    *) office=$1; shift ;;
  esac
done
pw=${PW_CLI:-$(dirname "$0")/../build/cli/planwatch}
mkdir -p "$dir"
chmod 755 "$dir"
for k in store ingest alert http "$office"; do
  [ -f "$dir/$k.key_secret" ] || "$pw" keygen "$k" --dir "$dir" >/dev/null
done
pub() { sed -n 's/^ *public-key = "\(.*\)"$/\1/p' "$dir/$1.key"; }
if [ ! -f "$dir/registry.yaml" ]; then
  cat >"$dir/registry.yaml" <<YAML
version: 1
services:
  - {id: store, key: "$(pub store)"}
  - {id: ingest, key: "$(pub ingest)"}
  - {id: alert, key: "$(pub alert)"}
  - {id: http, key: "$(pub http)"}
offices:
  - id: $office
    key: "$(pub "$office")"
    write: {plans: [p2, p3]}
    read: true
    subscribe: true
    manage: true
YAML
fi
chmod 644 "$dir"/*.key "$dir/registry.yaml"
if [ -n "$owner" ]; then
  chown "$owner" "$dir"/{store,ingest,alert,http}.key_secret
fi
