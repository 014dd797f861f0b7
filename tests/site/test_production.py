"""Production settings: the example environment passes `check --deploy` once its secrets are
filled in, and the security headers are all sent."""

import os
import secrets
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet

from tests import ROOT

BASE_DIR = ROOT
EXAMPLE = BASE_DIR / ".env.production.example"


def production_env() -> dict[str, str]:
    env = {}
    for line in EXAMPLE.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, _, value = line.partition("=")
        env[key.strip()] = value.strip()
    fills = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    }
    for key, value in env.items():
        env[key] = fills.get(key) or value.replace("REPLACE_ME", secrets.token_urlsafe(16))
    return env


def run_in_production(*args: str, extra: dict[str, str] | None = None):
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env |= production_env() | (extra or {})
    # The example points at the compose services; a check needs no database connection.
    env["DATABASE_URL"] = "sqlite:////tmp/aysekai-check-deploy.sqlite3"
    env["DJANGO_SETTINGS_MODULE"] = "aysekai_site.settings"
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip


def test_the_example_names_placeholders_for_every_secret():
    text = EXAMPLE.read_text()
    for key in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "POSTGRES_PASSWORD", "METRICS_TOKEN"):
        assert f"{key}=REPLACE_ME" in text


def test_check_deploy_reports_no_issue_with_the_example_environment():
    result = run_in_production("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_every_variable_the_settings_read_is_in_the_production_example():
    import re

    source = (BASE_DIR / "aysekai_site" / "settings.py").read_text()
    read = set(re.findall(r'env\.\w+\(\s*"([A-Z_]+)"', source))
    documented = set(production_env())
    assert read - documented == set()


@pytest.mark.parametrize("missing", ["SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "ALLOWED_HOSTS"])
def test_it_refuses_to_start_naming_a_missing_secret(missing):
    result = run_in_production("manage.py", "check", extra={missing: ""})
    assert result.returncode != 0
    assert f"{missing} is not set" in result.stderr


def test_it_sends_production_cookies_and_headers(tmp_path):
    code = (
        "import django; django.setup(); from django.test import Client; "
        "from django.core.management import call_command; "
        "call_command('collectstatic', interactive=False, verbosity=0); "
        "from django.conf import settings as s; "
        "r = Client().get('/accounts/login/', secure=True, HTTP_HOST=s.ALLOWED_HOSTS[0]); "
        "print(r.status_code); print(dict(r.headers)); print(r.cookies.output())"
    )
    result = run_in_production("-c", code, extra={"STATIC_ROOT": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    status, headers, cookies = result.stdout.strip().splitlines()[-3:]
    assert status == "200"
    for header in (
        "Strict-Transport-Security': 'max-age=31536000; includeSubDomains; preload",
        "Referrer-Policy': 'same-origin",
        "Cross-Origin-Opener-Policy': 'same-origin",
        "Cross-Origin-Resource-Policy': 'same-origin",
        "Permissions-Policy': 'accelerometer=()",
        "X-Content-Type-Options': 'nosniff",
        "X-Frame-Options': 'DENY",
        "frame-ancestors 'none'",
    ):
        assert header in headers, header
    assert "__Host-csrftoken=" in cookies
    assert "Secure" in cookies
    assert "HttpOnly" in cookies


def test_it_redirects_http_to_https_but_not_health_checks(tmp_path):
    code = (
        "import django; django.setup(); from django.test import Client; "
        "from django.conf import settings as s; c = Client(HTTP_HOST=s.ALLOWED_HOSTS[0]); "
        "print(c.get('/names/').status_code, c.get('/healthz').status_code)"
    )
    result = run_in_production("-c", code, extra={"STATIC_ROOT": str(tmp_path)})
    assert result.stdout.strip().splitlines()[-1] == "301 200", result.stderr
