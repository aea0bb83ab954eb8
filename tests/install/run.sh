#!/usr/bin/env bash
# tests/install/run.sh BUILD_DIR VERSION HOOKS - `cmake --install BUILD_DIR` into a
# temporary prefix, then: every program, man page, unit and example is
# there; each installed program's --version names VERSION and a commit;
# `man -l` renders each page; the example registry loads (and its log
# line is logfmt); the units pass `systemd-analyze verify`
# (skipped, said so, without systemd-analyze); the store has its test hook
# --test-drop-every exactly when HOOKS is 1 (CMake PW_TEST_HOOKS): else it
# neither lists nor accepts it. Exit 0 when all hold.
set -euo pipefail
build=$1 version=$2 hooks=${3:-1}
tmp=$(mktemp -d /tmp/pw-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$tmp/usr" >"$tmp/install.log" 2>&1 ||
    { cat "$tmp/install.log" >&2; fail "cmake --install failed"; }
p=$tmp/usr
programs=(planwatch planwatch-store planwatch-ingest planwatch-alert planwatch-http)
services=(store ingest alert http)

# --- files -------------------------------------------------------------
want=()
for b in "${programs[@]}"; do want+=("bin/$b" "share/man/man1/$b.1"); done
for s in "${services[@]}"; do want+=("lib/systemd/system/planwatch-$s.service"); done
want+=(lib/sysusers.d/planwatch.conf share/doc/planwatch/examples/registry.example.yaml
       share/doc/planwatch/examples/planwatch.env.example)
for f in "${want[@]}"; do [ -s "$p/$f" ] || fail "not installed: $f"; done
for b in "${programs[@]}"; do [ -x "$p/bin/$b" ] || fail "not executable: bin/$b"; done
# only those programs: no tests, no bench
extra=$(ls "$p/bin" | grep -vxF -e planwatch -e planwatch-store -e planwatch-ingest \
        -e planwatch-alert -e planwatch-http || true)
[ -z "$extra" ] || fail "installed beyond the programs: $extra"

# --- --version ---------------------------------------------------------
for b in "${programs[@]}"; do
    out=$("$p/bin/$b" --version) || fail "$b --version: exit $?"
    [[ $out =~ ^$b\ ${version//./\\.}\ \(commit\ [A-Za-z0-9._+-]+\)$ ]] ||
        fail "$b --version printed '$out' (want '$b $version (commit ID)')"
done

# --- the store's test hook: only in a build with PW_TEST_HOOKS --------------
rc=0
"$p/bin/planwatch-store" --test-drop-every=5 --version >/dev/null 2>"$tmp/hook.err" || rc=$?
listed=0
"$p/bin/planwatch-store" --help | grep -q -- '--test-drop-every' && listed=1
if [ "$hooks" = 1 ]; then
    [ $rc = 0 ] && [ $listed = 1 ] || fail "PW_TEST_HOOKS=ON: planwatch-store lacks --test-drop-every"
else
    [ $rc = 2 ] || fail "PW_TEST_HOOKS=OFF: planwatch-store --test-drop-every exited $rc, not 2"
    [ $listed = 0 ] || fail "PW_TEST_HOOKS=OFF: planwatch-store --help lists --test-drop-every"
fi

# --- man pages -----------------------------------------------------------
for b in "${programs[@]}"; do
    page=$(MANWIDTH=80 man -l -P cat "$p/share/man/man1/$b.1" 2>"$tmp/man.err") ||
        { cat "$tmp/man.err" >&2; fail "man -l $b.1 failed"; }
    grep -q "^NAME" <<<"$page" || fail "$b.1 has no NAME section"
    grep -q -- "--help" <<<"$page" || fail "$b.1 does not describe the options"
    grep -qF "$version" <<<"$page" || fail "$b.1 does not name version $version"
done

# --- the example registry loads (ingest starts with it, on ipc endpoints) --
keys=$tmp/keys && mkdir -m 700 "$keys"
"$p/bin/planwatch" keygen ingest --dir "$keys" >/dev/null 2>&1 || fail "planwatch keygen failed"
# --foreground: SIGTERM to ingest alone; without it timeout also sends
# SIGCONT to the group, which can resume ingest while LeakSanitizer's exit
# check holds it stopped, and the check then waits forever
timeout --foreground -s TERM 3 "$p/bin/planwatch-ingest" --secret-key "$keys/ingest.key_secret" \
    --registry "$p/share/doc/planwatch/examples/registry.example.yaml" \
    --listen "ipc://$tmp/o" --publish "ipc://$tmp/u" --acks "ipc://$tmp/a" 2>"$tmp/ingest.log" || true
grep -q 'level=info svc=ingest msg="ready"' "$tmp/ingest.log" ||
    { cat "$tmp/ingest.log" >&2; fail "planwatch-ingest did not start with the example registry"; }

# --- systemd units -------------------------------------------------------
for s in "${services[@]}"; do
    u=$p/lib/systemd/system/planwatch-$s.service
    grep -qx "ExecStart=$p/bin/planwatch-$s" "$u" || fail "planwatch-$s.service: ExecStart is not $p/bin"
    grep -qx "Type=notify" "$u" || fail "planwatch-$s.service is not Type=notify"
done
if command -v systemd-analyze >/dev/null; then
    # Documentation=man:... is looked up in the pages just installed
    MANPATH=$p/share/man: SYSTEMD_LOG_LEVEL=warning \
        systemd-analyze verify "$p"/lib/systemd/system/planwatch-*.service >"$tmp/verify.log" 2>&1 ||
        { cat "$tmp/verify.log" >&2; fail "systemd-analyze verify found problems"; }
    if [ -s "$tmp/verify.log" ]; then
        cat "$tmp/verify.log" >&2
        fail "systemd-analyze verify warned"
    fi
else
    echo "systemd-analyze not found: the units were not verified" >&2
fi
echo "install: ${#want[@]} files, --version, man pages and units OK"
