"""Settings come from the environment and fail loudly when they are wrong."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

from tests import ROOT

BASE_DIR = ROOT


def load_settings(*prints: str, **env):
    """Import the real settings in a clean interpreter with exactly these variables; print
    the usual facts, then each expression of `prints` (over the settings `s`)."""
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    clean.update(env, DJANGO_SETTINGS_MODULE="aysekai_site.settings")
    code = "\n".join(
        [
            "import django; from django.conf import settings as s; django.setup()",
            "print(s.DATABASES['default']['ENGINE'])",
            "print(s.STORAGES['staticfiles']['BACKEND'])",
            "print('secure-cookies=%s' % (s.SESSION_COOKIE_SECURE and s.CSRF_COOKIE_SECURE))",
            "m = s.MAILERS['default']; o = m.get('OPTIONS', {})",
            "print('mailer=%s %s %s %s' % (m['BACKEND'], o.get('host'), o.get('port'),"
            " o.get('use_tls')))",
            *(f"print({expression})" for expression in prints),
        ]
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=clean, capture_output=True, text=True,
        check=False, timeout=60,
    )  # fmt: skip


FERNET_KEY = "q1Yl0dNQnyB5n4cXq8y1y3Jm3e0cGmQq2S3ZlB6sHnE="


def test_it_refuses_to_start_without_a_secret_key_outside_debug(tmp_path):
    result = load_settings(
        DEBUG="false", SECRET_KEY="", FIELD_ENCRYPTION_KEYS=FERNET_KEY, ALLOWED_HOSTS="a.example"
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_it_refuses_to_start_without_an_encryption_key_outside_debug():
    result = load_settings(DEBUG="false", SECRET_KEY="x" * 50, ALLOWED_HOSTS="a.example")
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS is not set" in result.stderr


def test_it_refuses_to_start_without_allowed_hosts_outside_debug():
    result = load_settings(
        DEBUG="false", SECRET_KEY="x" * 50, FIELD_ENCRYPTION_KEYS=FERNET_KEY, ALLOWED_HOSTS=""
    )
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr


def test_it_refuses_a_malformed_encryption_key():
    result = load_settings(DEBUG="true", FIELD_ENCRYPTION_KEYS=f"{FERNET_KEY},not-a-key")
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS entry 2 is not a Fernet key" in result.stderr


def test_it_derives_a_development_encryption_key_in_debug():
    result = load_settings(DEBUG="true")
    assert result.returncode == 0, result.stderr


def test_it_runs_with_a_development_key_in_debug():
    result = load_settings(DEBUG="true", SECRET_KEY="")
    assert result.returncode == 0, result.stderr


def test_it_hashes_and_compresses_static_names_outside_debug():
    result = load_settings(
        DEBUG="false", SECRET_KEY="x" * 50, FIELD_ENCRYPTION_KEYS=FERNET_KEY,
        ALLOWED_HOSTS="a.example",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "aysekai_site.static_storage.StaticStorage" in result.stdout
    assert "secure-cookies=True" in result.stdout


def test_it_sends_cookies_over_plain_http_only_in_debug():
    result = load_settings(DEBUG="true")
    assert "secure-cookies=False" in result.stdout


def test_it_reads_smtp_settings_from_email_url():
    result = load_settings(DEBUG="true", EMAIL_URL="smtp+tls://mailer:s3cret@smtp.example.com:587")
    assert result.returncode == 0, result.stderr
    assert "mailer=django.core.mail.backends.smtp.EmailBackend smtp.example.com 587 True" in (
        result.stdout
    )


def test_it_selects_postgres_from_database_url():
    result = load_settings(DEBUG="true", DATABASE_URL="postgres://u:p@127.0.0.1:5432/aysekai")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "aysekai_site.postgres"


def test_it_keeps_the_filesystem_brokers_files_where_celery_filesystem_dir_says(tmp_path):
    result = load_settings(
        "s.CELERY_BROKER_TRANSPORT_OPTIONS['data_folder_in']", "s.CELERY_RESULT_BACKEND",
        DEBUG="true", CELERY_FILESYSTEM_DIR=str(tmp_path),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-2:] == [f"{tmp_path}/queue", f"file://{tmp_path}/results"]


def test_it_fails_loudly_on_a_bad_boolean():
    result = load_settings(DEBUG="maybe-ish")
    assert result.returncode != 0


@pytest.mark.parametrize("value", ["/admin/", "admin"])
def test_it_rejects_a_malformed_admin_url(value):
    result = load_settings(DEBUG="true", ADMIN_URL=value)
    assert result.returncode != 0
    assert "ADMIN_URL" in result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"JOB_STALE_SECONDS": "10", "JOB_HEARTBEAT_SECONDS": "10"}, "JOB_STALE_SECONDS"),
        ({"WORKER_STALE_SECONDS": "15"}, "WORKER_STALE_SECONDS"),
        ({"JOB_SWEEP_SECONDS": "0"}, "JOB_SWEEP_SECONDS"),
        ({"EXPORT_MAX_ATTEMPTS": "0"}, "EXPORT_MAX_ATTEMPTS"),
    ],
)
def test_it_refuses_heartbeat_settings_that_cannot_work(env, message):
    result = load_settings(DEBUG="true", **env)
    assert result.returncode != 0
    assert message in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_it_documents_every_variable_it_reads():
    example = (BASE_DIR / ".env.example").read_text()
    source = (BASE_DIR / "aysekai_site" / "settings.py").read_text()
    import re

    variables = set(re.findall(r'env\.\w+\(\s*"([A-Z_]+)"', source))
    assert variables, "no variables found"
    missing = [v for v in sorted(variables) if v not in example]
    assert missing == []


def test_it_keeps_cookies_httponly_and_lax():
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"


@pytest.mark.django_db
def test_it_uses_the_database_that_database_url_names():
    from django.db import connection

    url = os.environ.get("DATABASE_URL", "")
    assert connection.vendor == ("postgresql" if url.startswith("postgres") else "sqlite")


def settings_json(expression: str, **env: str):
    """The JSON of `expression` (over the settings `s`) in a clean interpreter with `env`."""
    import json

    result = load_settings(f"__import__('json').dumps({expression})", **(env | {"DEBUG": "true"}))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_it_bounds_every_wait_on_redis_so_an_outage_costs_a_request_a_moment():
    redis = "redis://127.0.0.1:6390"
    got = settings_json(
        "[s.CACHES['default']['OPTIONS'], s.CELERY_BROKER_TRANSPORT_OPTIONS,"
        " s.CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS['retry_policy'],"
        " s.CELERY_REDIS_SOCKET_CONNECT_TIMEOUT, s.CELERY_TASK_PUBLISH_RETRY_POLICY,"
        " s.CELERY_BROKER_CONNECTION_TIMEOUT, s.CELERY_TASK_IGNORE_RESULT,"
        " s.CELERY_BROKER_CONNECTION_MAX_RETRIES, s.CACHES['default']['BACKEND']]",
        REDIS_URL=f"{redis}/1", CELERY_BROKER_URL=f"{redis}/2", CELERY_RESULT_BACKEND=f"{redis}/3",
    )  # fmt: skip
    *waits, cache_backend = got
    cache, broker, backend_retry, backend_connect, publish, connect, ignore, worker_retries = waits
    assert cache == {"socket_connect_timeout": 0.5, "socket_timeout": 5.0}
    assert cache_backend == "aysekai_site.cache.RedisCache"  # Django's, reusing its clients
    assert (broker["socket_connect_timeout"], broker["socket_timeout"]) == (0.5, 5.0)
    # Celery's defaults (20 retries a second apart) hung the export form for 19 s.
    assert (backend_retry["max_retries"], backend_connect) == (1, 0.5)
    assert (publish["max_retries"], connect) == (1, 0.5)
    # Worst case, a broker that drops packets: two connects and one pause, under 2 s.
    assert (publish["max_retries"] + 1) * connect + publish["interval_max"] < 2
    assert ignore is True  # queuing a job never waits on the result backend
    assert worker_retries is None  # workers wait out a broker outage, however long


def test_the_environment_tunes_the_waits_and_postgres_has_a_connect_timeout():
    got = settings_json(
        "[s.CACHES['default']['OPTIONS'], s.DATABASES['default']['OPTIONS']]",
        REDIS_URL="redis://127.0.0.1:6390/1", REDIS_CONNECT_TIMEOUT="1.5",
        DATABASE_URL="postgres://u@127.0.0.1:5999/x", DATABASE_CONNECT_TIMEOUT="7",
    )  # fmt: skip
    assert got[0]["socket_connect_timeout"] == 1.5
    assert got[1]["connect_timeout"] == 7


def test_database_pool_gives_postgres_a_pool_of_that_size():
    got = settings_json(
        "[s.DATABASES['default']['OPTIONS'], s.DATABASES['default']['CONN_MAX_AGE']]",
        DATABASE_URL="postgres://u@127.0.0.1:5999/x", DATABASE_POOL="6", CONN_MAX_AGE="0",
        DATABASE_CONNECT_TIMEOUT="4",
    )  # fmt: skip
    assert got[0]["pool"] == {"min_size": 1, "max_size": 6, "timeout": 4}
    assert got[1] == 0
    without = settings_json(
        "s.DATABASES['default']['OPTIONS']", DATABASE_URL="postgres://u@127.0.0.1:5999/x"
    )
    assert "pool" not in without


def test_database_pool_refuses_persistent_connections_beside_it():
    result = load_settings(
        DEBUG="true", DATABASE_URL="postgres://u@127.0.0.1:5999/x", DATABASE_POOL="4",
        CONN_MAX_AGE="60",
    )  # fmt: skip
    assert result.returncode != 0
    assert "DATABASE_POOL needs CONN_MAX_AGE=0" in result.stderr


def test_only_the_worker_ping_stores_a_result():
    import aysekai_site.tasks  # noqa: F401 - a worker finds it by autodiscovery
    from aysekai_site.celery import app

    # Every app's task modules are imported by its ready(), so all are registered by now.
    assert "meditation.build_export" in app.tasks
    storing = sorted(
        name for name, task in app.tasks.items()
        if not name.startswith("celery.") and not task.ignore_result
    )  # fmt: skip
    assert storing == ["aysekai_site.ping"]
