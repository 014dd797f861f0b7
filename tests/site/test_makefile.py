"""The coverage gate belongs to `make test` (and so to CI), never to pytest's own options.

With `--cov` in addopts, `pytest tests/<one file>` passes its tests and still exits 1, because
one file covers far less than the gate asks of the whole suite.
"""

import shlex
import shutil
import subprocess
import tomllib

from tests import ROOT

GATE = 90


def addopts() -> list[str]:
    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]
    value = options["ini_options"].get("addopts", [])
    return shlex.split(value) if isinstance(value, str) else list(value)


def make_test_pytest_command() -> list[str]:
    """The pytest command `make test` runs, with the Makefile's variables expanded."""
    make = shutil.which("make")
    assert make, "make is not installed"
    dry_run = subprocess.run(
        [make, "--dry-run", "--no-print-directory", "test"],  # prints, runs nothing
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    commands = [line for line in dry_run.stdout.splitlines() if "bin/pytest" in line]
    assert len(commands) == 1, dry_run.stdout
    return shlex.split(commands[0])


def test_it_measures_no_coverage_when_pytest_runs_on_its_own():
    assert [option for option in addopts() if option.startswith("--cov")] == []


def test_it_fails_make_test_below_the_coverage_gate():
    command = make_test_pytest_command()
    assert "--cov" in command
    gates = [arg.split("=", 1)[1] for arg in command if arg.startswith("--cov-fail-under=")]
    assert gates, "make test runs pytest without --cov-fail-under"
    assert float(gates[0]) >= GATE


def test_it_runs_make_test_in_ci():
    steps = [line.split() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert ["step", "make", "test"] in steps


def test_it_runs_the_fault_suite_in_make_test_and_not_again_on_the_shared_services():
    """A failing fault test fails `make test` (so CI); the real-services stage skips the suite,
    which brings its own Postgres and Redis, and the page sweeps."""
    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]
    assert options["ini_options"]["testpaths"] == ["tests"]
    assert (ROOT / "tests" / "site" / "faults" / "conftest.py").is_file()
    deselecting = {"-m", "-k", "--ignore", "--ignore-glob", "--deselect"}
    for command in (make_test_pytest_command(), addopts()):
        assert [arg for arg in command if arg.split("=")[0] in deselecting] == [], command
    script = (ROOT / ".ci" / "run").read_text()
    (stage,) = [line for line in script.splitlines() if "bin/pytest" in line]
    # and the sweeps of every page (markup, axe, layout), which no database backend changes
    assert '-m "not faults and not sweeps"' in stage
