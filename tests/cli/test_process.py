"""The command as a person runs it: the console script (`.venv/bin/aysekai`, from the editable
install of `make setup`) and `python -m aysekai_cli`, in real processes, without Django's
settings; a sitting at a real terminal (a pty); the boundary for unexpected errors."""

import json
import os
import pty
import select
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from aysekai_cli import main as cli_main
from aysekai_cli import session_log
from tests import ROOT
from tests.cli.helpers import NINE, log_rows, numbers_in_table

SCRIPT = Path(sys.executable).parent / "aysekai"
COMMANDS = [
    pytest.param([str(SCRIPT)], id="console-script", marks=pytest.mark.skipif(
        not SCRIPT.exists(), reason="the console script is installed by make setup")),
    pytest.param([sys.executable, "-m", "aysekai_cli"], id="python-m"),
]  # fmt: skip


def environment(tmp_path, **extra):
    """A person's shell: no test settings (a settings module that does not exist, so that any
    use of them would fail), a home of its own."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "TMPDIR")}
    return {
        **keep,
        "HOME": str(tmp_path / "home"),
        "AYSEKAI_HOME": str(tmp_path / "aysekai"),
        "DJANGO_SETTINGS_MODULE": "no_such_settings_module",
        "COLUMNS": "120",
        **extra,
    }


def run(command, tmp_path, *args, input=None, **extra):
    return subprocess.run(
        [*command, *args], input=input, capture_output=True, text=True, cwd=tmp_path,
        env=environment(tmp_path, **extra), timeout=60, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS)
class TestProcess:
    def test_list_names_prints_the_99(self, command, tmp_path):
        result = run(command, tmp_path, "list-names")
        assert result.returncode == 0, result.stderr
        assert numbers_in_table(result.stdout) == list(range(1, 100))

    def test_a_bad_number_exits_2_without_asking(self, command, tmp_path):
        result = run(command, tmp_path, "meditate", "--number", "100", input="x\n")
        assert result.returncode == 2
        assert "There is no name 100" in result.stderr
        assert "Your intention" not in result.stdout

    def test_a_whole_sitting_with_piped_input_appends_a_row(self, command, tmp_path):
        log_dir = tmp_path / "log"
        result = run(command, tmp_path, "meditate", "--minutes", "1", "--log-dir", str(log_dir),
                     input="piped intention\nand a reflection\n")  # fmt: skip
        assert result.returncode == 0, result.stderr
        header, [row] = log_rows(log_dir)
        assert header == NINE
        assert (row[2], row[6]) == ("piped intention", "and a reflection")
        assert 1 <= int(row[3]) <= 99

    def test_a_reader_that_stops_early_ends_it_quietly(self, command, tmp_path):
        process = subprocess.Popen(
            [*command, "list-names", "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            cwd=tmp_path, env=environment(tmp_path),
        )  # fmt: skip
        process.stdout.close()  # as `| head` does once it has its lines
        assert process.wait(timeout=60) == 1  # typer's (and rich's) code for a broken pipe
        assert b"unexpected" not in process.stderr.read()
        process.stderr.close()
        assert not (tmp_path / "aysekai" / "error.log").exists()

    def test_help_and_no_arguments(self, command, tmp_path):
        assert "Exit codes" in run(command, tmp_path, "--help").stdout
        bare = run(command, tmp_path)
        assert "list-names" in bare.stdout + bare.stderr


def test_the_command_never_configures_django(tmp_path):
    """Import it and run every offline command: settings stay unconfigured, no database."""
    probe = textwrap.dedent(f"""
        import json, sys
        from typer.testing import CliRunner
        from aysekai_cli.main import app
        runner = CliRunner()
        codes = [runner.invoke(app, args, input="x\\n").exit_code for args in (
            ["list-names"], ["list-names", "--json"], ["show", "1"], ["search", "mercy"],
            ["search", "الله"], ["about"],
            ["meditate", "--log-dir", {str(tmp_path / "log")!r}],
            ["meditate", "--encrypt", "--log-dir", {str(tmp_path / "sealed")!r}],
        )]
        from django.conf import settings
        print(json.dumps({{"codes": codes, "configured": settings.configured,
                          "db": sorted(m for m in sys.modules if m.startswith("django.db"))}}))
    """)
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT,
        env=environment(tmp_path), timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.splitlines()[-1])
    assert seen == {"codes": [0] * 8, "configured": False, "db": []}


def test_a_sitting_at_a_real_terminal(tmp_path):
    """A pty: cbreak keys (two spaces are two dhikr), the countdown (one minute, sixty times
    faster), the terminal given back for the reflection."""
    log_dir = tmp_path / "log"
    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "aysekai_cli", "meditate", "-n", "1", "--minutes", "1",
         "--log-dir", str(log_dir)],
        stdin=secondary, stdout=secondary, stderr=secondary, cwd=ROOT,
        env=environment(tmp_path, AYSEKAI_TIME_SCALE="30", TERM="xterm"),
    )  # fmt: skip
    os.close(secondary)
    seen = b""

    def until(text, limit=30):
        nonlocal seen
        deadline = time.monotonic() + limit
        while text not in seen:
            assert time.monotonic() < deadline, seen.decode(errors="replace")
            if select.select([primary], [], [], 0.1)[0]:
                try:
                    seen += os.read(primary, 65536)
                except OSError:  # the child has gone
                    break
        assert text in seen, seen.decode(errors="replace")

    try:
        until(b"Your intention: ")
        os.write(primary, b"at a real terminal\n")
        until(b"Space or Enter")
        time.sleep(0.3)  # in cbreak mode by now
        os.write(primary, b"  ")
        until(b"A reflection")
        os.write(primary, b"still\n")
        until(b"Kept in")
        assert process.wait(timeout=30) == 0
    finally:
        process.kill()
        process.wait()
        os.close(primary)
    header, [row] = log_rows(log_dir)
    values = dict(zip(header, row, strict=True))
    assert (values["prompt"], values["reflection"]) == ("at a real terminal", "still")
    assert (values["seconds"], values["dhikr_count"]) == ("60", "2")


class TestUnexpected:
    def test_an_unexpected_error_exits_99_and_keeps_the_traceback(
        self, cli, log_dir, monkeypatch, aysekai_home
    ):
        def broken(*args):
            raise RuntimeError("the disk is haunted")

        monkeypatch.setattr(session_log, "append", broken)
        result = cli("meditate", "-n", "1", "--log-dir", log_dir, input="x\n")
        assert result.exit_code == 99
        assert "an unexpected error occurred" in result.stderr
        assert "Traceback" not in result.output
        error_log = aysekai_home / "error.log"
        assert "RuntimeError: the disk is haunted" in error_log.read_text()
        assert "Traceback" in error_log.read_text()
        assert oct(error_log.stat().st_mode & 0o777) == "0o600"

    def test_what_escapes_the_commands_exits_99_too(self, monkeypatch, capsys, aysekai_home):
        def broken(**kwargs):
            raise RuntimeError("outside any command")

        monkeypatch.setattr(cli_main, "app", broken)
        with pytest.raises(SystemExit) as exit_:
            cli_main.main()
        assert exit_.value.code == 99
        assert "unexpected error" in capsys.readouterr().err
        assert "outside any command" in (aysekai_home / "error.log").read_text()

    def test_an_error_log_that_cannot_be_written_still_gives_99(self, cli, monkeypatch, tmp_path):
        blocker = tmp_path / "a-file"
        blocker.write_text("")
        monkeypatch.setenv("AYSEKAI_HOME", str(blocker / "below"))

        def broken(*args, **kwargs):
            raise RuntimeError("boom")

        monkeypatch.setattr("aysekai_cli.catalogue.load", broken)
        result = cli("list-names")
        assert result.exit_code == 99
        assert "could not be saved" in result.stderr
