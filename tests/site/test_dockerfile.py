"""The Dockerfile, read as a file (there is no Docker engine where the tests run).

What the image does when it runs is checked by scripts/replay_dockerfile.sh (run by .ci/run,
not here: it builds a virtualenv); these tests also check that the script and the Dockerfile
agree.
"""

from __future__ import annotations

import json
import re
import shlex

import yaml

from tests import ROOT


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
    # The translations are compiled first, in the same step (and settings), with gettext.
    assert runs[0].index("manage.py compilemessages") < runs[0].index("manage.py collectstatic")
    installs = " ".join(rest for keyword, rest in stages()[1] if keyword == "RUN")
    assert re.search(r"apt-get install [^&]*\bgettext\b", installs)
    assert "**/*.mo" in (ROOT / ".dockerignore").read_text().splitlines()
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
