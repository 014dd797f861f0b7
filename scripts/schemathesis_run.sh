#!/usr/bin/env bash
# Fuzz the names API from its own OpenAPI document (schemathesis): the site served by gunicorn
# with production settings on a free port, a throwaway SQLite database with the 99 names, and
# every check schemathesis has. Fails on any finding. Needs the project's .venv (`make test`).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export DEBUG=false LOG_LEVEL=WARNING ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=false
export SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')"
export FIELD_ENCRYPTION_KEYS="$(.venv/bin/python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
export STATIC_ROOT="$work/static" DATABASE_URL="sqlite:///$work/db.sqlite3"
# The per-IP limit is the API's own (tested in tests/meditation/api): lifted for the fuzzer.
export API_RATE=1000000/m
.venv/bin/python manage.py collectstatic --noinput --verbosity 0
.venv/bin/python manage.py migrate --noinput --verbosity 0
.venv/bin/python manage.py load_names --verbosity 0

# The longest request line gunicorn takes: a search of 200 four-byte characters is 2.4 KB
# percent-encoded, within its default 4 KB; the fuzzer's longer ones must reach the API's own
# check (a 422), not stop at gunicorn's.
.venv/bin/gunicorn aysekai_site.wsgi:application --bind "127.0.0.1:$port" --workers 2 \
  --limit-request-line 8190 \
  >"$work/gunicorn.log" 2>&1 &
pid=$!
for _ in $(seq 50); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done

echo "::: schemathesis against http://127.0.0.1:$port/api/openapi.json"
.venv/bin/schemathesis run "http://127.0.0.1:$port/api/openapi.json" \
  --checks all --max-examples 60 --seed 1 --no-color
