#!/usr/bin/env bash
# Installs the Debian 12 packages planwatch builds, runs and tests with.
# Idempotent: installs only what is missing. Needs root (or sudo).
set -euo pipefail
pkgs=(build-essential cmake pkg-config
      libzmq3-dev libprotobuf-c-dev protobuf-c-compiler liblmdb-dev lmdb-utils
      libcmocka-dev libcsv-dev libyaml-dev libjansson-dev uuid-dev
      libcurl4-openssl-dev libmicrohttpd-dev libsodium-dev chromium
      libsystemd-dev help2man man-db curl
      libxlsxwriter-dev libzip-dev libexpat1-dev
      openssl  # test_http_tls makes its certificates with it
      valgrind # planwatch-bench instr counts instructions with callgrind
      fonts-noto-cjk   # fonts-noto-cjk: Japanese in report --format pdf (chromium prints it)
      prometheus-alertmanager python3-aiosmtpd  # the notification tests' real receivers
      nodejs)          # the browser tests: playwright-core (tests/browser, npm ci) drives chromium;
                       # the Kubernetes manifests' validator (tests/k8s)
# npm: Debian's package, unless the installed nodejs brings its own (nodesource's does)
command -v npm >/dev/null 2>&1 || pkgs+=(npm)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    # no root and no sudo: say exactly what to run, as root
    echo "planwatch needs these Debian packages: ${missing[*]}" >&2
    echo "run as root:  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  sudo="sudo"
fi
echo "installing: ${missing[*]}" >&2
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
