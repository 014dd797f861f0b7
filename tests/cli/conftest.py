"""The `aysekai` command under typer's CliRunner: a home of its own for every test (never the
real ~/.aysekai), a wide terminal so that rows do not wrap."""

import pytest
from typer.testing import CliRunner

from aysekai_cli.main import app

WIDTH = "120"


@pytest.fixture(autouse=True)
def aysekai_home(tmp_path, monkeypatch):
    home = tmp_path / "aysekai-home"
    monkeypatch.setenv("AYSEKAI_HOME", str(home))
    monkeypatch.delenv("AYSEKAI_TOKEN", raising=False)
    monkeypatch.delenv("AYSEKAI_SITE", raising=False)
    monkeypatch.delenv("AYSEKAI_TIME_SCALE", raising=False)
    monkeypatch.delenv("AYSEKAI_LANG", raising=False)
    return home


@pytest.fixture
def log_dir(tmp_path):
    return tmp_path / "log"


@pytest.fixture
def cli():
    """Runs a command as `aysekai …`; the result has exit_code, stdout and stderr."""
    runner = CliRunner(env={"COLUMNS": WIDTH})

    def invoke(*args, input=None, **kwargs):
        return runner.invoke(app, [str(a) for a in args], input=input, **kwargs)

    return invoke
