"""docker-compose.yml, read as a file: there is no Docker engine where the tests run."""

from __future__ import annotations

import re

import pytest
import yaml

from tests import ROOT
from tests.site.test_dockerfile import dockerfile_instructions, script_text

APP_SERVICES = ("web", "migrate", "worker", "beat")
LONG_RUNNING = ("web", "worker", "beat", "postgres", "redis")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


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
    assert services["web"]["ports"] == ["127.0.0.1:${WEB_PORTS:-8000-8003}:8000"]
    for name in set(services) - {"web"}:
        assert "ports" not in services[name], name


def test_web_and_worker_scale_to_replicas(services):
    """Nothing fixed per container: no names, one loopback port range for web's replicas, and
    a replica count for web and worker (beat stays one: two would send every task twice)."""
    assert services["web"]["deploy"]["replicas"] == "${WEB_REPLICAS:-1}"
    assert services["worker"]["deploy"]["replicas"] == "${WORKER_REPLICAS:-1}"
    assert "deploy" not in services["beat"]
    for name, service in services.items():
        assert "container_name" not in service, name
    (published,) = services["web"]["ports"]
    assert re.fullmatch(r"127\.0\.0\.1:\$\{WEB_PORTS:-\d+-\d+\}:8000", published)


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
