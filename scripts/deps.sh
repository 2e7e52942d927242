#!/usr/bin/env bash
# Installs the Debian packages httpserv needs to build and test. Idempotent: it runs apt-get only
# when something is missing, so repeated `make` calls stay fast. Usage: scripts/deps.sh [build|bench|fuzz|thirdparty]
set -euo pipefail
# libssl-dev: TLS (OpenSSL 3); libnghttp2-dev: HTTP/2; openssl: `make run`'s self-signed
# certificate and the TLS tests' certificates; nghttp2-client: nghttp and h2load, the HTTP/2
# tests' clients.
want=(build-essential cmake ninja-build pkg-config git node-llhttp libgtest-dev libgmock-dev
      libbenchmark-dev libpugixml-dev libssl-dev libnghttp2-dev zlib1g-dev libbrotli-dev
      openssl curl python3 python3-hpack procps strace nghttp2-client
      # The access-log tests read the log with a real analyser.
      goaccess
      # Packaging: sd_notify for the systemd unit (Type=notify); man -l renders httpserv(8).
      libsystemd-dev man-db groff-base)
if [ "${1:-build}" = build ]; then
  # Tests: /metrics is read with the Prometheus client's own parser; the status page runs in
  # Debian's chromium, driven by playwright-core (npm, pinned in tests/browser/package-lock.json).
  want+=(python3-prometheus-client chromium)
  # A Node.js that did not come from Debian (e.g. NodeSource's, which brings its own npm) stays.
  command -v node >/dev/null 2>&1 || want+=(nodejs)
  command -v npm >/dev/null 2>&1 || want+=(npm)
fi
if [ "${1:-build}" = bench ]; then
  # testssl.sh: the TLS configuration report (docs/tls.md).
  want+=(nginx-light h2o wrk nghttp2-client linux-perf valgrind testssl.sh)
fi
if [ "${1:-build}" = thirdparty ]; then
  # scripts/try-public-modules.sh: the libraries public IIS modules bring with them (iislua's
  # Lua, ModSecurity's APR/Apache/libxml2/PCRE headers) and iconv for UTF-16 sources.
  want+=(liblua5.4-dev apache2-dev libapr1-dev libaprutil1-dev libxml2-dev libpcre3-dev libc-bin)
fi
if [ "${1:-build}" = fuzz ]; then
  # clang with libFuzzer and the sanitizer runtimes (make fuzz; fuzz/README.md).
  want+=(clang-14 libclang-rt-14-dev libfuzzer-14-dev)
fi
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ "${1:-build}" = build ]; then
  browser="$(cd "$(dirname "$0")/../tests/browser" && pwd)"
  if [ ! -f "$browser/node_modules/playwright-core/package.json" ] ||
     ! grep -q "\"version\": \"$(sed -n 's/.*"playwright-core": "\(.*\)".*/\1/p' "$browser/package.json")\"" \
       "$browser/node_modules/playwright-core/package.json"; then
    echo "deps: npm ci in tests/browser (playwright-core)" >&2
    (cd "$browser" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
fi
