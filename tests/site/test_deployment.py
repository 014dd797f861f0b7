"""The deployment files: docker-compose.yml, the Dockerfile, gunicorn.conf.py.

There is no Docker engine where these tests run, so they read the files. What the image does
when it runs is checked by scripts/replay_dockerfile.sh (run by .ci/run, not here: it builds a
virtualenv); these tests also check that the script and the Dockerfile agree.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import sys
from types import ModuleType, SimpleNamespace

import pytest
import yaml
from gunicorn.config import Config

from tests import ROOT

APP_SERVICES = ("web", "migrate", "worker", "beat")
LONG_RUNNING = ("web", "worker", "beat", "postgres", "redis")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(KEYWORD, arguments) for each instruction, continuation lines joined, comments dropped."""
    instructions, current = [], ""
    for raw in (ROOT / "Dockerfile").read_text().splitlines():
        if not current and (not raw.strip() or raw.lstrip().startswith("#")):
            continue
        if raw.rstrip().endswith("\\"):
            current += raw.rstrip()[:-1] + " "
            continue
        keyword, _, rest = (current + raw).strip().partition(" ")
        instructions.append((keyword.upper(), " ".join(rest.split())))
        current = ""
    return instructions


def stages() -> list[list[tuple[str, str]]]:
    result: list[list[tuple[str, str]]] = []
    for keyword, rest in dockerfile_instructions():
        if keyword == "FROM":
            result.append([])
        result[-1].append((keyword, rest))
    return result


def replayed_runs() -> dict[str, str]:
    """The RUN instructions marked `# replay: <step>` for scripts/replay_dockerfile.sh."""
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    steps = {}
    for number, line in enumerate(lines):
        if line.startswith("# replay:"):
            following = lines[number + 1]
            assert following.startswith("RUN "), f"'{line}' must stand right above a RUN"
            steps[line.split(":", 1)[1].strip()] = following
    return steps


def script_text() -> str:
    return (ROOT / "scripts" / "replay_dockerfile.sh").read_text()


# --- docker-compose.yml -----------------------------------------------------------------------


def test_it_defines_the_six_services(services):
    assert set(services) == {"web", "migrate", "worker", "beat", "postgres", "redis"}


def test_it_builds_one_image_for_every_app_service(services):
    builds = [services[name]["build"] for name in APP_SERVICES]
    assert all(build == {"context": ".", "dockerfile": "Dockerfile"} for build in builds)
    assert len({services[name]["image"] for name in APP_SERVICES}) == 1
    assert services["postgres"]["image"] == "postgres:17"
    assert services["redis"]["image"] == "redis:7"


def test_it_health_checks_every_long_running_service(services):
    for name in ("worker", "beat", "postgres", "redis"):
        check = services[name]["healthcheck"]
        assert check.get("test"), name
        assert not check.get("disable"), name
    # web keeps the image's HEALTHCHECK (GET /healthz).
    assert "healthcheck" not in services["web"]
    assert any(keyword == "HEALTHCHECK" for keyword, _ in dockerfile_instructions())
    # The one-shot service must not inherit a check for a web server it does not run.
    assert services["migrate"]["healthcheck"] == {"disable": True}


def test_it_checks_workers_and_beat_through_the_broker(services):
    worker = services["worker"]["healthcheck"]["test"]
    beat = services["beat"]["healthcheck"]["test"]
    assert "inspect ping --destination celery@$$HOSTNAME" in worker[1]
    assert "inspect ping --destination celerybeat@$$HOSTNAME" in beat[1]
    # beat answers ping only with remote control on.
    assert "--enable-remote-control" in services["beat"]["command"]
    assert services["postgres"]["healthcheck"]["test"][1].startswith("pg_isready")
    assert services["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]


def test_it_starts_the_app_after_migrations_and_healthy_services(services):
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"},
            "postgres": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
        }, name
    assert services["migrate"]["depends_on"]["postgres"] == {"condition": "service_healthy"}


def test_it_migrates_and_loads_the_names_once_per_deploy(services):
    migrate = services["migrate"]
    assert migrate["command"][:2] == ["sh", "-c"]
    assert (
        migrate["command"][2] == "python manage.py migrate --noinput && python manage.py load_names"
    )
    assert migrate["restart"] == "no"
    # The replay script runs the same command.
    assert f'MIGRATE_COMMAND="{migrate["command"][2]}"' in script_text()


def test_it_restarts_long_running_services(services):
    for name in LONG_RUNNING:
        assert services[name]["restart"] == "unless-stopped", name


def test_it_rotates_every_services_logs(services):
    for name, service in services.items():
        assert service["logging"]["driver"] == "json-file", name
        assert service["logging"]["options"]["max-size"], name


def test_it_keeps_data_in_named_volumes(compose, services):
    assert "postgres-data:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert "redis-data:/data" in services["redis"]["volumes"]
    assert services["redis"]["command"] == ["redis-server", "--appendonly", "yes"]
    assert {"postgres-data", "redis-data", "private"} <= set(compose["volumes"])


def test_it_shares_private_storage_between_web_and_worker(services):
    root = services["web"]["environment"]["PRIVATE_STORAGE_ROOT"]
    assert root == "/app/var/private"
    for name in ("web", "worker"):
        assert services[name]["environment"]["PRIVATE_STORAGE_ROOT"] == root
        assert f"private:{root}" in services[name]["volumes"], name


def test_it_publishes_only_web_and_only_on_loopback(services):
    assert services["web"]["ports"] == ["127.0.0.1:${WEB_PORT:-8000}:8000"]
    for name in set(services) - {"web"}:
        assert "ports" not in services[name], name


def test_it_points_the_app_at_the_compose_services(services):
    for name in APP_SERVICES:
        environment = services[name]["environment"]
        assert services[name]["env_file"] == ".env.production"
        assert environment["DATABASE_URL"].endswith("@postgres:5432/${POSTGRES_DB:-aysekai}")
        assert environment["REDIS_URL"] == "redis://redis:6379/1"
        assert environment["CELERY_BROKER_URL"] == "redis://redis:6379/0"
        assert environment["CELERY_RESULT_BACKEND"] == "redis://redis:6379/2"


def test_it_sets_only_variables_that_something_reads(services):
    settings = (ROOT / "aysekai_site" / "settings.py").read_text()
    read_elsewhere = {"FORWARDED_ALLOW_IPS", "PROMETHEUS_MULTIPROC_DIR"}  # gunicorn.conf.py
    gunicorn_conf = (ROOT / "gunicorn.conf.py").read_text()
    for name in APP_SERVICES:
        for variable in services[name]["environment"]:
            if variable in read_elsewhere:
                assert f'"{variable}"' in gunicorn_conf
            else:
                assert f'"{variable}"' in settings, f"{name}: settings never read {variable}"


# scheme://user:password@ where user and password are literal or ${...}
USER_PASSWORD_IN_URL = r"://(?:\$\{[^}]*\}|[^:/@]+):(\$\{[^}]*\}|[^@]+)@"


def test_it_hard_codes_no_secret(services):
    required_password = "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD"] == required_password
    secret_words = re.compile(r"PASSWORD|SECRET|TOKEN|_KEY")
    for name, service in services.items():
        for variable, value in (service.get("environment") or {}).items():
            if secret_words.search(variable):
                assert str(value).startswith("${"), f"{name}: {variable} is hard-coded"
            # A URL's password comes from the same required variable.
            for password in re.findall(USER_PASSWORD_IN_URL, str(value)):
                assert password == required_password, f"{name}: {variable}"
    text = (ROOT / "docker-compose.yml").read_text()
    assert "SECRET_KEY" not in text
    assert "FIELD_ENCRYPTION_KEYS" not in text


def test_it_names_the_app_in_worker_and_beat_commands(services):
    worker, beat = services["worker"]["command"], services["beat"]["command"]
    assert worker[:4] == ["celery", "--app", "aysekai_site", "worker"]
    assert beat[:4] == ["celery", "--app", "aysekai_site", "beat"]
    assert beat[beat.index("--schedule") + 1] == "/app/var/celery/beat-schedule"
    assert worker[worker.index("--concurrency") + 1] == "2"


def test_it_drops_privileges_in_app_containers(services):
    for name in APP_SERVICES:
        assert services[name]["cap_drop"] == ["ALL"], name
        assert services[name]["security_opt"] == ["no-new-privileges:true"], name


# --- Dockerfile ------------------------------------------------------------------------------


def test_it_builds_in_two_stages_on_slim_python():
    builder, runtime = stages()
    assert builder[0] == ("FROM", "python:3.13-slim AS builder")
    assert runtime[0] == ("FROM", "python:3.13-slim")
    assert any("build-essential" in rest for keyword, rest in builder if keyword == "RUN")
    assert not any("build-essential" in rest for _, rest in runtime)
    assert any(keyword == "RUN" and "pip wheel" in rest for keyword, rest in builder)


def test_it_installs_only_the_built_wheels():
    install = [rest for keyword, rest in stages()[1] if keyword == "RUN" and "pip install" in rest]
    assert len(install) == 1
    assert "--no-index" in install[0]
    assert "--find-links /wheels" in install[0]
    assert "-r requirements/production.txt" in install[0]


def test_it_runs_as_a_non_root_user():
    runtime = stages()[1]
    users = [rest for keyword, rest in runtime if keyword == "USER"]
    assert users == ["aysekai:aysekai"]
    assert any("--uid 10001" in rest for keyword, rest in runtime if keyword == "RUN")
    # USER comes before what the container runs.
    keywords = [keyword for keyword, _ in runtime]
    assert keywords.index("USER") < keywords.index("CMD")


def test_it_sets_python_environment_and_port():
    runtime = stages()[1]
    env = " ".join(rest for keyword, rest in runtime if keyword == "ENV")
    assert "PYTHONDONTWRITEBYTECODE=1" in env
    assert "PYTHONUNBUFFERED=1" in env
    assert ("EXPOSE", "8000") in runtime


def test_it_collects_static_files_with_throwaway_keys_at_build_time():
    runs = [rest for keyword, rest in stages()[1] if keyword == "RUN" and "collectstatic" in rest]
    assert len(runs) == 1
    assert "python manage.py collectstatic --noinput" in runs[0]
    assert "DEBUG=false" in runs[0]
    assert 'SECRET_KEY="$(python -c' in runs[0]
    assert "Fernet.generate_key()" in runs[0]
    # Build-time keys must not outlive their RUN.
    for keyword, rest in dockerfile_instructions():
        if keyword in ("ENV", "ARG"):
            assert "SECRET_KEY" not in rest
            assert "FIELD_ENCRYPTION_KEYS" not in rest


def test_it_health_checks_healthz_with_urllib():
    (check,) = [rest for keyword, rest in dockerfile_instructions() if keyword == "HEALTHCHECK"]
    command = json.loads(check[check.index(" CMD ") + 5 :])
    assert command[:2] == ["python", "-c"]
    assert "urllib.request" in command[2]
    assert "/healthz" in command[2]
    compile(command[2], "HEALTHCHECK", "exec")


def test_it_runs_gunicorn_with_its_config_file():
    (cmd,) = [rest for keyword, rest in dockerfile_instructions() if keyword == "CMD"]
    assert json.loads(cmd) == [
        "gunicorn", "aysekai_site.wsgi:application", "--config", "gunicorn.conf.py",
    ]  # fmt: skip


def test_it_keeps_local_state_and_secrets_out_of_the_build_context():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".env", ".venv", "var", "node_modules", ".git", "**/__pycache__"} <= ignored
    assert "!.env.example" in ignored  # documentation only; other .env.* files are secrets


def test_it_agrees_with_the_replay_script():
    steps = replayed_runs()
    assert set(steps) == {"wheels", "install", "collectstatic"}
    assert "pip wheel" in steps["wheels"]
    assert "pip install" in steps["install"]
    assert "collectstatic" in steps["collectstatic"]
    for step in ("wheels", "install"):
        assert "-r requirements/production.txt" in steps[step]
        assert "dev.txt" not in steps[step]
    script = script_text()
    # The script runs those marked lines (and the HEALTHCHECK and CMD) from the Dockerfile itself.
    assert '"$REPO/Dockerfile"' in script
    assert "for step in wheels install collectstatic" in script
    for step in ("wheels", "install", "collectstatic"):
        assert f"run_step {step}" in script
    assert "healthcheck.json" in script
    assert "cmd.json" in script
    # ... with the image's user id.
    assert "APP_UID=10001" in script


# --- gunicorn.conf.py -------------------------------------------------------------------------


def load_gunicorn_conf(monkeypatch, **env: str) -> ModuleType:
    for name in ("PORT", "WEB_CONCURRENCY", "FORWARDED_ALLOW_IPS", "PROMETHEUS_MULTIPROC_DIR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location(
        "gunicorn_conf_under_test", ROOT / "gunicorn.conf.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def as_gunicorn_config(module: ModuleType) -> Config:
    """The module's settings as gunicorn itself reads them (its validators run)."""
    config = Config()
    for name, value in vars(module).items():
        if name in config.settings:
            config.set(name, value)
    return config


def test_it_has_production_defaults(monkeypatch):
    monkeypatch.setattr(os, "process_cpu_count", lambda: 1, raising=False)
    module = load_gunicorn_conf(monkeypatch)
    config = as_gunicorn_config(module)
    assert config.bind == ["0.0.0.0:8000"]
    assert config.workers == 3  # 2 × 1 core + 1
    assert config.threads == 1
    assert config.timeout == 30
    assert config.graceful_timeout == 30
    assert config.forwarded_allow_ips == ["127.0.0.1"]
    assert config.max_requests > 0
    assert 0 < config.max_requests_jitter < config.max_requests
    assert config.accesslog is None  # the application's JSON request log replaces it
    assert config.worker_tmp_dir == ("/dev/shm" if os.path.isdir("/dev/shm") else None)  # noqa: S108


def test_it_caps_the_default_workers_at_four(monkeypatch):
    monkeypatch.setattr(os, "process_cpu_count", lambda: 16, raising=False)
    assert load_gunicorn_conf(monkeypatch).workers == 4


def test_it_reads_port_concurrency_and_trusted_proxies_from_the_environment(monkeypatch):
    module = load_gunicorn_conf(
        monkeypatch, PORT="9000", WEB_CONCURRENCY="7", FORWARDED_ALLOW_IPS="*"
    )
    config = as_gunicorn_config(module)
    assert config.bind == ["0.0.0.0:9000"]
    assert config.workers == 7
    assert config.forwarded_allow_ips == ["*"]


@pytest.mark.parametrize("value", ["two", "0", "-1"])
def test_it_refuses_a_bad_worker_count(monkeypatch, value):
    with pytest.raises(ValueError, match="WEB_CONCURRENCY"):
        load_gunicorn_conf(monkeypatch, WEB_CONCURRENCY=value)


def test_it_sets_only_settings_gunicorn_knows(monkeypatch):
    module = load_gunicorn_conf(monkeypatch)
    known = Config().settings
    for name, value in vars(module).items():
        if name.startswith("_") or name.isupper() or isinstance(value, ModuleType | type):
            continue
        assert name in known, f"gunicorn has no setting {name!r} (a typo?)"


def test_it_leaves_request_logging_to_the_application(monkeypatch):
    # gunicorn's access log would carry query strings and reset tokens; the app's does not.
    assert load_gunicorn_conf(monkeypatch).accesslog is None


def test_it_loads_without_prometheus_client(monkeypatch):
    monkeypatch.setitem(sys.modules, "prometheus_client", None)  # import raises ImportError
    module = load_gunicorn_conf(monkeypatch)
    module.on_starting(SimpleNamespace())
    module.child_exit(SimpleNamespace(), SimpleNamespace(pid=123))


def test_it_gives_prometheus_an_empty_directory_on_start(monkeypatch, tmp_path):
    directory = tmp_path / "prometheus"
    module = load_gunicorn_conf(monkeypatch, PROMETHEUS_MULTIPROC_DIR=str(directory))
    module.on_starting(SimpleNamespace())
    assert directory.is_dir()
    (directory / "counter_1.db").write_bytes(b"stale")
    (directory / "leftover").mkdir()
    module.on_starting(SimpleNamespace())
    assert directory.is_dir()
    assert list(directory.iterdir()) == []


def test_it_drops_a_dead_workers_live_gauges(monkeypatch, tmp_path):
    module = load_gunicorn_conf(monkeypatch, PROMETHEUS_MULTIPROC_DIR=str(tmp_path))
    for name in ("gauge_livesum_4242.db", "gauge_liveall_4242.db", "counter_4242.db"):
        (tmp_path / name).write_bytes(b"")
    module.child_exit(SimpleNamespace(), SimpleNamespace(pid=4242))
    assert sorted(path.name for path in tmp_path.iterdir()) == ["counter_4242.db"]


def test_it_marks_dead_workers_only_when_multiprocess_is_on(monkeypatch, tmp_path):
    calls = []
    fake = ModuleType("prometheus_client")
    fake.multiprocess = SimpleNamespace(mark_process_dead=calls.append)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "prometheus_client", fake)
    module = load_gunicorn_conf(monkeypatch)
    module.on_starting(SimpleNamespace())
    module.child_exit(SimpleNamespace(), SimpleNamespace(pid=1))
    assert calls == []
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    module.child_exit(SimpleNamespace(), SimpleNamespace(pid=77))
    assert calls == [77]


def test_it_parses_the_replay_steps_as_shell():
    # A marked RUN must be plain shell once its --mount flags are gone (the script runs sh -c).
    for line in replayed_runs().values():
        command = re.sub(r"^RUN (--[a-z]+=\S+\s+)*", "", line)
        assert shlex.split(command)


def test_the_image_can_back_up_into_a_volume():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "postgresql-client" in dockerfile  # pg_dump and pg_restore for manage.py backup
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert "backups:/app/var/backups" in compose["services"]["web"]["volumes"]
    assert "backups" in compose["volumes"]
