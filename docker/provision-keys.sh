#!/usr/bin/env bash
# docker/provision-keys.sh KEYS_DIR [OFFICE_DIR OFFICE...]
# Makes what docker/compose.yaml's services read from /etc/planwatch/keys
# (PLANWATCH_KEYS_DIR on the host): a CURVE key pair for store, ingest,
# alert and http, the HTTP door (planwatch keygen), and registry.yaml naming
# them, plus, for each
# OFFICE, a key pair in OFFICE_DIR (kept out of the containers) and a
# registry entry that may write plans p2 and p3, read and subscribe; an
# OFFICE written NAME:manage also gets the manage right (acks, silences,
# assessments, published reports) - edit registry.yaml for narrower scopes
# (README "Security"). Key files that
# exist are kept; registry.yaml is rewritten. Run as root, it gives KEYS_DIR
# to the containers' user (uid 10001: secret keys are mode 0600) and, under
# sudo, OFFICE_DIR to the user who ran sudo. Uses
# `planwatch` from PATH, or $PLANWATCH_CLI.
set -euo pipefail
keys=${1:?usage: docker/provision-keys.sh KEYS_DIR [OFFICE_DIR OFFICE...]}
offices_dir=${2:-}
shift $(($# < 2 ? $# : 2))
pw=${PLANWATCH_CLI:-planwatch}
mkdir -p "$keys"
[ -z "$offices_dir" ] || mkdir -p "$offices_dir"

# public_key DIR NAME: makes DIR/NAME.key{,_secret} unless there; prints the public key
public_key() {
    [ -e "$1/$2.key_secret" ] || "$pw" keygen "$2" --dir "$1" >/dev/null
    sed -n 's/^ *public-key = "\(.*\)"$/\1/p' "$1/$2.key"
}
{
    echo "version: 1"
    echo "services:"
    for s in store ingest alert http; do
        echo "  - {id: $s, key: \"$(public_key "$keys" "$s")\"}"
    done
    if [ $# -gt 0 ]; then
        echo "offices:"
        for spec in "$@"; do
            o=${spec%:manage}
            manage=""
            [ "$o" = "$spec" ] || manage=", manage: true"
            echo "  - {id: $o, key: \"$(public_key "$offices_dir" "$o")\", write: {plans: [p2, p3]}, read: true, subscribe: true$manage}"
        done
    fi
} >"$keys/registry.yaml.tmp"
chmod 644 "$keys/registry.yaml.tmp" # writable by group or others: the services refuse it
mv "$keys/registry.yaml.tmp" "$keys/registry.yaml"
if [ "$(id -u)" -eq 0 ]; then
    chown -R 10001:10001 "$keys"
    # under sudo, the office keys belong to whoever ran it (they use them)
    if [ -n "$offices_dir" ] && [ -n "${SUDO_UID:-}" ]; then
        chown -R "$SUDO_UID:${SUDO_GID:-$SUDO_UID}" "$offices_dir"
    fi
else
    echo "note: run 'sudo chown -R 10001:10001 $keys' so that the containers' user can read the keys" >&2
fi
echo "keys and registry in $keys${offices_dir:+; office keys in $offices_dir}"
