"""`aysekai push` to the real import API (a live server with a personal token): the log the
command wrote lands in the person's journal once, however many times it is pushed."""

import pytest

from accounts import personal_tokens
from meditation.models import MeditationSession
from tests.cli.helpers import log_rows
from tests.cli.test_process import COMMANDS, SCRIPT, run

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def secret(user):
    return personal_tokens.make(user, "laptop")[1]


def test_the_log_imports_once_through_the_api(cli, site, log_dir, user, secret):
    assert cli("meditate", "-n", "1", "--log-dir", log_dir, input="my intention\n").exit_code == 0
    _, [row] = log_rows(log_dir)
    first = cli("push", "--site", site, "--log-dir", log_dir, env={"AYSEKAI_TOKEN": secret})
    assert first.exit_code == 0, first.output
    assert "1 imported, 0 skipped, 0 rejected." in first.stdout
    entry = MeditationSession.objects.get(user=user)
    assert (entry.intention, entry.legacy_id) == ("my intention", row[5])

    again = cli("push", "--site", site, "--log-dir", log_dir, env={"AYSEKAI_TOKEN": secret})
    assert again.exit_code == 0, again.output
    assert "0 imported, 1 skipped, 0 rejected." in again.stdout
    assert MeditationSession.objects.filter(user=user).count() == 1


def test_an_encrypted_log_imports_through_the_api(cli, site, log_dir, user, secret):
    cli("meditate", "-n", "2", "--encrypt", "--log-dir", log_dir, input="sealed\n")
    result = cli("push", "--site", site, "--log-dir", log_dir, env={"AYSEKAI_TOKEN": secret})
    assert result.exit_code == 0, result.output
    assert MeditationSession.objects.get(user=user).intention == "sealed"


def test_a_wrong_token_is_refused_with_exit_4(cli, site, log_dir, user):
    cli("meditate", "-n", "1", "--log-dir", log_dir, input="x\n")
    result = cli("push", "--site", site, "--log-dir", log_dir, "--token", "ays_not-a-real-one")
    assert result.exit_code == 4
    assert "401" in result.stderr
    assert not MeditationSession.objects.exists()


def test_the_installed_command_pushes_twice_and_imports_once(site, tmp_path, user, secret):
    """The console script in real processes: a sitting with piped input, then two pushes to a
    live site; the row is in the journal once."""
    command = COMMANDS[0 if SCRIPT.exists() else 1].values[0]
    log_dir = str(tmp_path / "log")
    sat = run(command, tmp_path, "meditate", "-n", "7", "--log-dir", log_dir,
              input="through a process\nwhat came\n")  # fmt: skip
    assert sat.returncode == 0, sat.stderr
    pushes = [
        run(command, tmp_path, "push", "--site", site, "--log-dir", log_dir, AYSEKAI_TOKEN=secret)
        for _ in range(2)
    ]
    assert [p.returncode for p in pushes] == [0, 0], [p.stderr for p in pushes]
    assert "1 imported, 0 skipped, 0 rejected." in pushes[0].stdout
    assert "0 imported, 1 skipped, 0 rejected." in pushes[1].stdout
    assert secret not in pushes[0].stdout + pushes[0].stderr  # the token is never printed
    entry = MeditationSession.objects.get(user=user)
    assert (entry.intention, entry.name.number) == ("through a process", 7)
