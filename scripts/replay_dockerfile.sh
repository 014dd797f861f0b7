#!/usr/bin/env bash
# Replays the Dockerfile without Docker, to check the image's steps on a machine with no engine:
#
#   1. copies the tree the way the build context does (.dockerignore's rules: no .env, no var/);
#   2. runs the Dockerfile's RUN steps marked "# replay: wheels|install|collectstatic", read
#      from the Dockerfile itself, in a clean virtualenv (Python 3.13 like the image, or the
#      first Python >= 3.12), with only the Dockerfile's ENV (plus pip's network settings for
#      the wheels step), /wheels pointing into the temp dir;
#   3. checks that everything installed is pinned in requirements/ (`pip check` and the pins);
#   4. migrates and loads the names into a temporary SQLite database, as the compose `migrate`
#      service does (keep MIGRATE_COMMAND below equal to its command);
#   5. starts the Dockerfile's CMD (gunicorn with gunicorn.conf.py) on a free port on
#      127.0.0.1, as uid 10001 like the image's USER when this script runs as root (with
#      setpriv), and checks /healthz, /readyz, a page, a static file, the access log, the
#      Dockerfile's own HEALTHCHECK command and the process's user.
#
# tests/site/test_dockerfile.py and test_compose.py check that this script and the Dockerfile/compose file agree.
# Usage: bash scripts/replay_dockerfile.sh        (exit status 0 when every check passes)
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
STARTED=$SECONDS

# Same as the compose `migrate` service's command.
MIGRATE_COMMAND="python manage.py migrate --noinput && python manage.py load_names"
# The image's USER (Dockerfile: useradd --uid 10001).
APP_UID=10001

say() { echo "replay: $*"; }
fail() {
  echo "replay: FAILED: $*" >&2
  exit 1
}

python_bin=""
for candidate in python3.13 python3.12 python3; do
  if command -v "$candidate" >/dev/null 2>&1 &&
    "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
    python_bin=$(command -v "$candidate")
    break
  fi
done
[ -n "$python_bin" ] || fail "no Python >= 3.12 found (tried python3.13, python3.12, python3)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/aysekai-replay.XXXXXX")
gunicorn_pid=""
cleanup() {
  local status=$?
  if [ -n "$gunicorn_pid" ] && kill -0 "$gunicorn_pid" 2>/dev/null; then
    kill -TERM "$gunicorn_pid" 2>/dev/null || true
    for _ in $(seq 50); do
      kill -0 "$gunicorn_pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -KILL "$gunicorn_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
  if [ "$status" -eq 0 ]; then
    say "all checks passed in $((SECONDS - STARTED)) s"
  else
    echo "replay: failed after $((SECONDS - STARTED)) s (exit status $status)" >&2
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
say "temp dir $tmp, $("$python_bin" --version) ($python_bin)"

# --- Read the Dockerfile --------------------------------------------------------------------
mkdir -p "$tmp/steps"
"$python_bin" - "$REPO/Dockerfile" "$tmp/steps" "$tmp/wheels" <<'PY'
"""Write the marked RUN steps, the final stage's ENV, HEALTHCHECK and CMD where bash finds them."""
import json, re, shlex, sys
from pathlib import Path

dockerfile, out, wheels = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
lines, current = [], ""
for raw in dockerfile.read_text().splitlines():
    if not current and raw.lstrip().startswith("#"):
        lines.append(raw.strip())
        continue
    if raw.rstrip().endswith("\\"):
        current += raw.rstrip()[:-1] + " "
        continue
    lines.append((current + raw).strip())
    current = ""

marker, env, healthcheck, cmd = None, [], None, None
for line in lines:
    if line.startswith("# replay:"):
        marker = line.split(":", 1)[1].strip()
        continue
    if line.startswith("#") or not line:
        continue
    keyword, _, rest = line.partition(" ")
    keyword = keyword.upper()
    if keyword == "FROM":
        env = []  # only the final stage's ENV applies at run time
    elif keyword == "ENV":
        env += [item for item in shlex.split(rest)]
    elif keyword == "HEALTHCHECK":
        healthcheck = json.loads(rest[rest.index(" CMD ") + 5 :])
    elif keyword == "CMD":
        cmd = json.loads(rest)
    if marker is not None:
        if keyword != "RUN":
            sys.exit(f"Dockerfile: '# replay: {marker}' must stand right above a RUN")
        command = re.sub(r"^(--[a-z]+=\S+\s+)+", "", rest)  # RUN --mount=... flags
        command = re.sub(r"(?<![\w/.-])/wheels\b", wheels, command)
        (out / f"{marker}.sh").write_text(command + "\n")
        marker = None

for name, value in (("healthcheck", healthcheck), ("cmd", cmd)):
    if not (isinstance(value, list) and value):
        sys.exit(f"Dockerfile: no exec-form {name.upper()} found")
    (out / f"{name}.json").write_text(json.dumps(value))
if any("=" not in item for item in env):
    sys.exit("Dockerfile: write ENV as KEY=value")
(out / "env").write_text("\n".join(env) + "\n")
PY
for step in wheels install collectstatic; do
  [ -s "$tmp/steps/$step.sh" ] || fail "the Dockerfile has no RUN marked '# replay: $step'"
done
mapfile -t image_env <"$tmp/steps/env"
say "Dockerfile read: ENV ${image_env[*]}; CMD $(cat "$tmp/steps/cmd.json")"

# --- The build context ----------------------------------------------------------------------
"$python_bin" - "$REPO" "$tmp/app" <<'PY'
"""Copy the tree as `docker build` sends it: .dockerignore's patterns, the last match wins."""
import re, shutil, sys
from pathlib import Path

root, target = Path(sys.argv[1]), Path(sys.argv[2])

def translate(pattern):
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out)

rules = []
for line in (root / ".dockerignore").read_text().splitlines():
    line = line.strip()
    if line and not line.startswith("#"):
        negate = line.startswith("!")
        rules.append((negate, translate(line.lstrip("!").strip("/"))))

def ignored(relative):
    parts = relative.split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    result = False
    for negate, regex in rules:
        if any(regex.fullmatch(prefix) for prefix in prefixes):
            result = not negate
    return result

count = 0
for path in sorted(root.rglob("*")):
    relative = path.relative_to(root).as_posix()
    if ignored(relative) or not path.is_file():
        continue
    destination = target / relative
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(path, destination)
    count += 1
for must_be_absent in (".env", "var", ".venv", ".git", "node_modules"):
    if (target / must_be_absent).exists():
        sys.exit(f".dockerignore lets {must_be_absent} into the image")
print(f"replay: build context: {count} files copied (.env, var/, .venv/, .git/ left out)")
PY

# --- The image's steps ----------------------------------------------------------------------
# pip's own settings on this machine (index, certificates, proxies) for the one step that
# downloads; every other step sees only what the image would.
network_env=()
while IFS= read -r name; do
  case "$name" in
  PIP_* | *_proxy | *_PROXY | SSL_CERT_* | REQUESTS_CA_BUNDLE | CURL_CA_BUNDLE)
    network_env+=("$name=${!name}")
    ;;
  esac
done < <(compgen -e)
image_path="$tmp/venv/bin:/usr/local/bin:/usr/bin:/bin"
run_step() { # run_step NAME [extra env...]: a marked RUN line, under sh -c like Docker
  local name=$1
  shift
  say "step $name: $(cat "$tmp/steps/$name.sh")"
  (cd "$tmp/app" && env -i HOME="$HOME" PATH="$image_path" "${image_env[@]}" "$@" \
    sh -c "$(cat "$tmp/steps/$name.sh")") || fail "step $name"
}

say "creating a clean virtualenv (the image's interpreter)"
"$python_bin" -m venv "$tmp/venv"
t0=$SECONDS
run_step wheels "${network_env[@]}"
run_step install PIP_CONFIG_FILE=/dev/null
say "wheels and install took $((SECONDS - t0)) s"

say "check: installed packages are consistent (pip check) and all pinned in requirements/"
"$tmp/venv/bin/python" -m pip check --disable-pip-version-check || fail "pip check"
"$tmp/venv/bin/python" - "$REPO/requirements" <<'PY' || fail "unpinned packages"
import re, sys
from importlib.metadata import distributions
from pathlib import Path

def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()

pinned = {}
for file in ("production.txt", "base.txt"):
    for line in (Path(sys.argv[1]) / file).read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==(\S+)", line.strip())
        if match:
            pinned[canonical(match[1])] = match[2]
ignore = {"pip", "setuptools", "wheel"}
problems = []
for dist in distributions():
    name = canonical(dist.metadata["Name"])
    if name in ignore:
        continue
    if name not in pinned:
        problems.append(f"{name}=={dist.version} is installed but not pinned")
    elif pinned[name] != dist.version:
        problems.append(f"{name}: pinned {pinned[name]}, installed {dist.version}")
for problem in problems:
    print("  " + problem)
sys.exit(1 if problems else 0)
PY

run_step collectstatic
static_root="$tmp/app/var/static"
[ -s "$static_root/staticfiles.json" ] || fail "collectstatic wrote no manifest in $static_root"
say "static files collected into $static_root (the image's var/static)"

# --- Run time: the compose migrate service, then the CMD ------------------------------------
port=$("$python_bin" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
secret_key=$("$tmp/venv/bin/python" -c 'import secrets; print(secrets.token_urlsafe(50))')
fernet_key=$("$tmp/venv/bin/python" -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')
# The Dockerfile's mkdir of var/ (owned by the app user there), and writable dirs for the
# database and gunicorn's run-time files.
mkdir -p "$tmp/db" "$tmp/run" "$tmp/app/var/private" "$tmp/app/var/celery/queue" \
  "$tmp/app/var/celery/processed" "$tmp/app/var/celery/results"
runtime_env=(
  HOME="$tmp/app" PATH="$image_path" "${image_env[@]}"
  DEBUG=false SECRET_KEY="$secret_key" FIELD_ENCRYPTION_KEYS="$fernet_key"
  "ALLOWED_HOSTS=127.0.0.1,localhost" PORT="$port"
  DATABASE_URL="sqlite:///$tmp/db/db.sqlite3"
)
# Run as the image's USER when we can: root can drop to uid 10001 with setpriv. The app may
# then write only where the image lets it (var/private, var/celery) and the database.
as_app_user=()
not_as_app_user_because="this script does not run as root"
if [ "$(id -u)" = 0 ]; then
  not_as_app_user_because="setpriv is missing"
  if command -v setpriv >/dev/null 2>&1; then
    chmod 0755 "$tmp"
    drop=(setpriv --reuid="$APP_UID" --regid="$APP_UID" --clear-groups)
    # An interpreter under /root (pyenv) is out of reach for any other user.
    if "${drop[@]}" "$tmp/venv/bin/python" -c '' 2>/dev/null; then
      chown -R "$APP_UID:$APP_UID" "$tmp/db" "$tmp/run" "$tmp/app/var/private" "$tmp/app/var/celery"
      as_app_user=("${drop[@]}")
    else
      not_as_app_user_because="uid $APP_UID cannot run $python_bin (it lives where only root may read)"
    fi
  fi
fi

say "migrate: $MIGRATE_COMMAND (SQLite at $tmp/db/db.sqlite3)"
(cd "$tmp/app" && env -i "${runtime_env[@]}" "${as_app_user[@]}" sh -c "$MIGRATE_COMMAND") ||
  fail "migrate and load_names"

mapfile -t cmd < <("$python_bin" -c 'import json, sys; print("\n".join(json.load(open(sys.argv[1]))))' "$tmp/steps/cmd.json")
say "starting the CMD: ${cmd[*]} --bind 127.0.0.1:$port"
# As the compose web service: metrics from all workers through a multiprocess directory.
metrics_dir="$tmp/run/prometheus"
(cd "$tmp/app" && exec env -i "${runtime_env[@]}" PROMETHEUS_MULTIPROC_DIR="$metrics_dir" \
  "${as_app_user[@]}" "${cmd[@]}" --bind "127.0.0.1:$port") >"$tmp/gunicorn.log" 2>&1 &
gunicorn_pid=$!

"$tmp/venv/bin/python" - "$port" "$tmp/gunicorn.log" "$gunicorn_pid" "$metrics_dir" <<'PY' || {
import http.client, json, re, sys, time
from pathlib import Path

port, log, pid, metrics_dir = int(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
# The proxy's headers: an allowed host, and HTTPS (gunicorn believes it from 127.0.0.1).
HEADERS = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https"}

def get(path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers=HEADERS)
    response = connection.getresponse()
    return response.status, dict(response.getheaders()), response.read()

def check(what, ok, detail=""):
    print(f"replay: check: {what}: {'ok' if ok else 'FAILED'}{' (' + detail + ')' if detail else ''}")
    if not ok:
        sys.exit(1)

deadline = time.monotonic() + 30
while True:
    try:
        status, _, body = get("/healthz")
        break
    except OSError:
        if time.monotonic() > deadline or not Path(f"/proc/{pid}").exists():
            check("gunicorn answers within 30 s", False)
        time.sleep(0.25)
print(f"replay: gunicorn answered after {30 - (deadline - time.monotonic()):.1f} s")
check("/healthz answers 200", status == 200, f"{status} {body[:80]!r}")
status, _, body = get("/readyz")
ready = json.loads(body) if body.startswith(b"{") else {}
check('/readyz answers 200 with "status": "ok"', status == 200 and ready.get("status") == "ok",
      f"{status} {body.decode()[:300]}")
status, _, body = get("/")
check("the home page answers 200", status == 200, str(status))
css = re.search(rb'href="(/static/css/site\.[0-9a-f]{12}\.css)"', body)
check("it links a hashed stylesheet (the manifest from collectstatic)", bool(css))
status, headers, _ = get(css[1].decode())
cache = {k.lower(): v for k, v in headers.items()}.get("cache-control", "")
check("whitenoise serves it, cached for long", status == 200 and "max-age=315360000" in cache,
      f"{status} {cache}")
status, _, body = get("/tr/")
check("/tr/ is in Turkish (the translations compiled in the image)",
      status == 200 and b'lang="tr"' in body and "Öğren".encode() in body, str(status))
get("/names/?q=replaysearchterm")
time.sleep(0.5)
text = log.read_text()
check("the request log has the path", '"path": "/names/"' in text)
check("the request log has no query string", "replaysearchterm" not in text)
status, _, body = get("/metrics")
check("/metrics answers 127.0.0.1 with the request counter",
      status == 200 and b"aysekai_http_requests_total" in body, str(status))
files = sorted(p.name for p in metrics_dir.glob("*.db")) if metrics_dir.is_dir() else []
check("gunicorn made the PROMETHEUS_MULTIPROC_DIR and the workers write there", bool(files),
      ", ".join(files[:4]))
PY
  echo "--- gunicorn log" >&2
  tail -n 40 "$tmp/gunicorn.log" >&2
  fail "HTTP checks"
}

healthcheck_args=()
mapfile -t healthcheck_args < <("$python_bin" -c 'import json, sys; print("\n".join(json.load(open(sys.argv[1]))))' "$tmp/steps/healthcheck.json")
(cd "$tmp/app" && env -i "${runtime_env[@]}" "${healthcheck_args[@]}") ||
  fail "the Dockerfile's HEALTHCHECK command"
say "check: the Dockerfile's HEALTHCHECK command succeeds: ok"

mapfile -t worker_pids < <(ps -o pid= --ppid "$gunicorn_pid" | tr -d ' ')
[ ${#worker_pids[@]} -gt 0 ] || fail "gunicorn has no worker processes"
uids=$(ps -o uid= -p "$(IFS=,; echo "$gunicorn_pid,${worker_pids[*]}")" | tr -s ' \n' ' ')
if [ ${#as_app_user[@]} -gt 0 ]; then
  for uid in $uids; do
    [ "$uid" = "$APP_UID" ] || fail "a gunicorn process runs as uid $uid, not $APP_UID"
  done
  say "check: gunicorn (master and workers) runs as uid $APP_UID, not root: ok"
elif [ "$(id -u)" = 0 ]; then
  say "note: gunicorn ran as root here ($not_as_app_user_because): skipped the non-root check;" \
    "the image runs it as USER aysekai (uid $APP_UID), which tests/site/test_dockerfile.py checks"
else
  for uid in $uids; do
    [ "$uid" != 0 ] || fail "a gunicorn process runs as root"
  done
  say "check: gunicorn (master and workers) does not run as root (uids: $uids): ok"
fi

kill -TERM "$gunicorn_pid"
for _ in $(seq 50); do
  kill -0 "$gunicorn_pid" 2>/dev/null || break
  sleep 0.2
done
if kill -0 "$gunicorn_pid" 2>/dev/null; then
  fail "gunicorn did not stop within 10 s of SIGTERM"
fi
wait "$gunicorn_pid" 2>/dev/null || true
gunicorn_pid=""
say "check: gunicorn stops on SIGTERM (docker stop): ok"
