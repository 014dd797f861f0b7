#!/usr/bin/env bash
# Scan the site with the Mozilla HTTP Observatory (npm @mdn/mdn-http-observatory) served over
# TLS with production settings, and fail unless the grade is A+.
#
# The scanner connects to ports 80 and 443 of the host it is given, so this serves the site on
# localhost:443 (gunicorn, a throwaway self-signed certificate the scanner is told to trust) and
# on localhost:80 (plain HTTP, which must redirect to HTTPS). Needs root (low ports), npm and
# the project's .venv (`make test` creates it).
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=1.4.8
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

echo "::: installing @mdn/mdn-http-observatory@$VERSION"
(cd "$work" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund --ignore-scripts \
  "@mdn/mdn-http-observatory@$VERSION" >/dev/null)
scanner="$work/node_modules/@mdn/mdn-http-observatory"
# Its install script downloads the HSTS preload list; localhost is on no such list.
echo '{}' > "$scanner/conf/hsts-preload.json"

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost" -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

export DEBUG=false LOG_LEVEL=WARNING ALLOWED_HOSTS=localhost CSRF_TRUSTED_ORIGINS=https://localhost
export SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')"
export FIELD_ENCRYPTION_KEYS="$(.venv/bin/python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
export STATIC_ROOT="$work/static" DATABASE_URL="sqlite:///$work/db.sqlite3"
.venv/bin/python manage.py collectstatic --noinput --verbosity 0
.venv/bin/python manage.py migrate --noinput --verbosity 0
.venv/bin/python manage.py load_names --verbosity 0

.venv/bin/gunicorn aysekai_site.wsgi:application --bind 127.0.0.1:443 --workers 2 \
  --certfile "$work/cert.pem" --keyfile "$work/key.pem" >"$work/https.log" 2>&1 &
pids+=($!)
.venv/bin/gunicorn aysekai_site.wsgi:application --bind 127.0.0.1:80 --workers 1 \
  >"$work/http.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do
  curl -skf -o /dev/null https://localhost/ && break
  sleep 0.2
done

echo "::: scanning https://localhost/"
NODE_EXTRA_CA_CERTS="$work/cert.pem" node "$scanner/src/scan.js" localhost >"$work/result.json"
grade=$(.venv/bin/python -c 'import json,sys; r=json.load(open(sys.argv[1]))["scan"]; print(r["grade"], r["score"], r["testsPassed"], "/", r["testsQuantity"])' "$work/result.json")
echo "::: Mozilla HTTP Observatory: $grade"
[[ "$grade" == A+* ]] || { cat "$work/result.json"; exit 1; }
