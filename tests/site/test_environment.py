"""The process environment wins over `.env`, under `make run` (honcho) as everywhere else.

honcho loads its env file over the inherited environment, so `SIGNUP_RATE=1000/h make run`
used to run with `.env`'s 5/h. These tests run the very command `make run` runs (read from
`make --dry-run`), in a copy of the project with its own `.env`, and look at the settings
the Django process it starts ends up with.
"""

import os
import re
import shlex
import shutil
import subprocess

import pytest

from tests import ROOT

MAKE = shutil.which("make")
pytestmark = pytest.mark.skipif(not MAKE, reason="make is not installed")

DOT_ENV = "DEBUG=true\nSIGNUP_RATE=5/h\nPASSWORD_RESET_RATE=7/h\nPORT=8123\n"
# The settings a Django process ends up with, printed the way the web process starts: manage.py.
PROBE = (
    'probe: python manage.py shell --no-imports -c "from django.conf import settings as s; '
    "print('SIGNUP_RATE=' + s.SIGNUP_RATE, 'PASSWORD_RESET_RATE=' + s.PASSWORD_RESET_RATE)\"\n"
)


@pytest.fixture
def project(tmp_path):
    """A copy of the checkout whose settings read its own `.env` (the apps are linked)."""
    copy = tmp_path / "site"
    copy.mkdir()
    # The settings find .env beside their package, wherever it really lives: copy the package,
    # and manage.py (Python puts the real folder of a linked script on sys.path).
    shutil.copytree(
        ROOT / "aysekai_site", copy / "aysekai_site", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    for name in ("accounts", "meditation", "templates", "static", "fixtures", "requirements",
                 ".venv", "Makefile", "Procfile", ".env.example", "pyproject.toml"):  # fmt: skip
        (copy / name).symlink_to(ROOT / name)
    (copy / ".env").write_text(DOT_ENV)
    (copy / "Procfile.probe").write_text(PROBE)
    return copy


def environment(**variables):
    """A person's shell: no test settings, none of the variables under test unless given."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    return {**keep, **variables}


def run_command(project, env):
    """The command `make run` runs last (honcho), with every variable expanded."""
    dry_run = subprocess.run(
        [MAKE, "--dry-run", "--no-print-directory", "run"], cwd=project, env=env,
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    commands = [line for line in dry_run.stdout.splitlines() if "bin/honcho" in line]
    assert len(commands) == 1, dry_run.stdout
    return commands[0]


def settings_under_make_run(project, **variables):
    """Runs `make run`'s command with the probe as its only process; the settings it saw."""
    env = environment(**variables, PROCFILE="Procfile.probe")
    result = subprocess.run(
        ["/bin/bash", "-c", run_command(project, env)], cwd=project, env=env,
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    seen = dict(re.findall(r"\b(SIGNUP_RATE|PASSWORD_RESET_RATE)=(\S+)", result.stdout))
    assert len(seen) == 2, result.stdout + result.stderr
    return seen


def test_the_environment_wins_over_dot_env_under_make_run(project):
    seen = settings_under_make_run(project, SIGNUP_RATE="1000/h")
    assert seen["SIGNUP_RATE"] == "1000/h"
    # A variable the environment does not set still comes from .env.
    assert seen["PASSWORD_RESET_RATE"] == "7/h"


def test_dot_env_applies_when_the_environment_is_silent(project):
    assert settings_under_make_run(project) == {"SIGNUP_RATE": "5/h", "PASSWORD_RESET_RATE": "7/h"}


def test_the_port_comes_from_the_environment_then_dot_env_then_8000(project):
    def port(**variables):
        return shlex.split(run_command(project, environment(**variables)))[-1]

    assert port(PORT="8124") == "8124"
    assert port() == "8123"
    (project / ".env").write_text(DOT_ENV.replace("PORT=8123\n", ""))
    assert port() == "8000"
