#!/usr/bin/env bash
# Makes a self-signed certificate for `make run`'s HTTPS listener (localhost and 127.0.0.1),
# once: DIR/cert.pem and DIR/key.pem. Usage: scripts/dev-cert.sh DIR
set -euo pipefail
dir=${1:?usage: scripts/dev-cert.sh DIR}
[ -s "$dir/cert.pem" ] && [ -s "$dir/key.pem" ] && exit 0
mkdir -p "$dir"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 \
  -keyout "$dir/key.pem" -out "$dir/cert.pem" -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
echo "dev-cert: made a self-signed certificate in $dir (valid for localhost, 365 days)" >&2
