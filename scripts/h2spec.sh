#!/usr/bin/env bash
# HTTP/2 conformance with h2spec (summerwind, 2.6.0), when an h2spec binary is at hand: it is not
# packaged by Debian or npm, so neither CI nor `make test` runs this. Starts the server built in
# BUILD_DIR (default build) on free loopback ports with a throwaway certificate, runs h2spec over
# h2c on an HTTP/2-only port (--listen-h2c), over TLS (ALPN h2), each by default and with
# --strict, and over h2c on the shared HTTP/1.1 port (--listen), and prints one count line per
# run. Exit status: 0 when every case passed except the known one of the shared port, 1 otherwise.
#
# Usage: scripts/h2spec.sh [PATH_TO_H2SPEC]   (else $H2SPEC, else h2spec on PATH)
# The counts and the one known difference (h2c on a port that also speaks HTTP/1.1) are in
# docs/http2.md.
set -uo pipefail
cd "$(dirname "$0")/.."
h2spec=${1:-${H2SPEC:-$(command -v h2spec || true)}}
if [ -z "$h2spec" ] || [ ! -x "$h2spec" ]; then
  echo "h2spec.sh: no h2spec binary (give its path, or set H2SPEC)" >&2
  exit 2
fi
server=${BUILD_DIR:-build}/src/server/httpserv
[ -x "$server" ] || { echo "h2spec.sh: $server not built (make build)" >&2; exit 2; }

work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/www"
printf 'Hello, world!' > "$work/www/hello.txt"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -keyout "$work/key.pem" -out "$work/cert.pem" -subj "/CN=localhost" 2>/dev/null
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
plain=$(free_port)
h2c=$(free_port)
tls=$(free_port)
"$server" --no-supervisor --root "$work/www" --workers 1 --log-level warn \
  --listen "127.0.0.1:$plain" --listen-h2c "127.0.0.1:$h2c" --listen-tls "127.0.0.1:$tls" \
  --tls-cert "$work/cert.pem" --tls-key "$work/key.pem" 2> "$work/server.log" &
pid=$!
for _ in $(seq 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$tls") 2>/dev/null && break
  sleep 0.1
done

status=0
run() {
  local name=$1 known=${KNOWN:-}
  shift
  local out="$work/$name.txt"
  "$h2spec" -h 127.0.0.1 -P /hello.txt -o 2 "$@" > "$out" 2>&1
  local counts
  counts=$(tail -n 1 "$out")
  printf '%-16s %s\n' "$name" "$counts"
  if ! grep -q ', 0 skipped' <<< "$counts" ||
     { ! grep -q ', 0 failed' <<< "$counts" && ! grep -q ", $known failed" <<< "$counts"; }; then
    status=1
  fi
  if ! grep -q ', 0 failed' <<< "$counts"; then
    sed -n '/^Failures:/,$p' "$out" | grep -E '^\s+(×|[0-9.]+ )' | sed 's/^/    /'
  fi
}
run h2c -p "$h2c"
run h2c-strict -p "$h2c" --strict
run tls -p "$tls" -t -k
run tls-strict -p "$tls" -t -k --strict
# The shared port: 3.5/2 (an invalid preface) is an HTTP/1 request line there, answered 400.
KNOWN=1 run shared-h2c -p "$plain"
KNOWN=1 run shared-h2c-strict -p "$plain" --strict
exit $status
