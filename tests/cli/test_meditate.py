"""`aysekai meditate`: the intention, the name, the countdown, the reflection, and one row
appended to the local log in the old tool's format (plain or encrypted)."""

import datetime
import getpass
import json
import os
import signal
import stat
import time
import uuid

import pytest
from cryptography.fernet import Fernet

from aysekai_cli import prompts, session_log, sitting
from aysekai_cli.main import INTENTION_MAX, REFLECTION_MAX
from tests.cli.helpers import NINE, SIX, decrypted_lines, log_rows, log_text

PIPED = "my intention\na reflection\n"


def meditate(cli, log_dir, *options, input=PIPED):
    return cli("meditate", "--number", "1", "--minutes", "1", "--log-dir", log_dir, *options,
               input=input)  # fmt: skip


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


class TestPipedInput:
    def test_it_appends_one_row_with_the_columns(self, cli, log_dir):
        before = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
        result = meditate(cli, log_dir)
        assert result.exit_code == 0, result.output
        header, rows = log_rows(log_dir)
        assert header == NINE
        (row,) = rows
        values = dict(zip(header, row, strict=True))
        at = datetime.datetime.fromisoformat(values["timestamp"])
        assert at.utcoffset() == datetime.timedelta(0)
        assert before <= at <= datetime.datetime.now(datetime.UTC)
        assert values["timestamp"].endswith("+00:00")
        assert values["user"] == getpass.getuser()
        assert values["prompt"] == "my intention"
        assert (values["name_number"], values["name_transliteration"]) == ("1", "Ar-Raḥmān")
        assert uuid.UUID(hex=values["session_id"]).version == 4
        assert values["session_id"] == uuid.UUID(values["session_id"]).hex
        assert values["reflection"] == "a reflection"
        # No live countdown with piped input: no time nor count measured.
        assert (values["seconds"], values["dhikr_count"]) == ("", "")
        assert f"Kept in {log_dir / 'sessions.log'}" in " ".join(result.stdout.split())

    def test_it_shows_the_name_meaning_verse_and_dhikr(self, cli, log_dir):
        out = " ".join(meditate(cli, log_dir).stdout.split())
        for text in ("Ar-Raḥmān", "The Most Compassionate", "Qurʾān 55:1", "Yā Raḥmān"):
            assert text in out

    def test_the_folder_is_private_and_so_is_the_log(self, cli, log_dir):
        meditate(cli, log_dir)
        assert mode(log_dir) == 0o700
        assert mode(log_dir / "sessions.log") == 0o600

    def test_a_second_run_appends_a_second_row_under_the_one_header(self, cli, log_dir):
        meditate(cli, log_dir)
        meditate(cli, log_dir, input="another intention\n")
        header, rows = log_rows(log_dir)
        assert header == NINE
        assert [r[2] for r in rows] == ["my intention", "another intention"]
        assert rows[0][5] != rows[1][5]
        assert log_text(log_dir).count("timestamp,") == 1

    def test_it_never_waits_for_the_minutes(self, cli, log_dir):
        start = time.monotonic()
        result = cli("meditate", "--number", "3", "--minutes", "180", "--log-dir", log_dir,
                     input="patience\n")  # fmt: skip
        assert result.exit_code == 0
        assert time.monotonic() - start < 10

    def test_the_intention_is_one_line_and_an_empty_one_is_asked_again(self, cli, log_dir):
        result = meditate(cli, log_dir, input="\n   \n<b>patience</b>\twith\x07me\nthe rest\n")
        assert result.exit_code == 0
        assert result.stdout.count("An intention is needed") == 2
        _, [row] = log_rows(log_dir)
        assert row[2] == "patience with me"
        assert row[6] == "the rest"

    def test_the_rest_of_the_input_is_the_reflection_over_lines(self, cli, log_dir):
        meditate(cli, log_dir, input="intention\nfirst line\r\n\nsecond\x00 line\n\n")
        _, [row] = log_rows(log_dir)
        assert row[6] == "first line\n\nsecond line"

    def test_a_draw_without_number(self, cli, log_dir, monkeypatch):
        seen = []

        def draw(intention):
            seen.append(intention)
            return 47

        monkeypatch.setattr("aysekai_cli.main.draw", draw)
        result = cli("meditate", "--log-dir", log_dir, input="gratitude\n")
        assert result.exit_code == 0
        assert seen == ["gratitude"]
        _, [row] = log_rows(log_dir)
        assert (row[3], row[4]) == ("47", "Al-Wadūd")

    def test_the_sites_draw_is_used(self, cli, log_dir):
        for _ in range(3):
            assert cli("meditate", "--log-dir", log_dir, input="x\n").exit_code == 0
        _, rows = log_rows(log_dir)
        assert all(1 <= int(r[3]) <= 99 for r in rows)

    def test_the_default_folder_is_aysekai_home(self, cli, aysekai_home):
        assert cli("meditate", "-n", "2", input="x\n").exit_code == 0
        assert log_rows(aysekai_home)[1][0][3] == "2"


class TestRefusals:
    @pytest.mark.parametrize("number", ["100", "0", "abc"])
    def test_a_bad_number_exits_2_before_asking_anything(self, cli, log_dir, number):
        result = cli("meditate", "--number", number, "--log-dir", log_dir, input=PIPED)
        assert result.exit_code == 2
        assert "Your intention" not in result.stdout
        assert "name number" in result.stderr or "no name" in result.stderr
        assert not log_dir.exists()

    @pytest.mark.parametrize("minutes", ["0", "181", "ten"])
    def test_minutes_out_of_range_are_a_usage_error(self, cli, log_dir, minutes):
        result = cli("meditate", "--minutes", minutes, "--log-dir", log_dir, input=PIPED)
        assert result.exit_code == 2
        assert not log_dir.exists()

    def test_no_intention_at_all_is_invalid_input(self, cli, log_dir):
        result = meditate(cli, log_dir, input="\n\n")
        assert result.exit_code == 1
        assert "No intention was given" in result.stderr
        assert not (log_dir / "sessions.log").exists()

    def test_a_too_long_intention_is_asked_again(self, cli, log_dir):
        result = meditate(cli, log_dir, input="x" * (INTENTION_MAX + 1) + "\nshort\n")
        assert result.exit_code == 0
        assert f"within {INTENTION_MAX} characters" in result.stdout
        assert log_rows(log_dir)[1][0][2] == "short"

    def test_a_too_long_piped_reflection_writes_nothing(self, cli, log_dir):
        result = meditate(cli, log_dir, input="x\n" + "y" * (REFLECTION_MAX + 1))
        assert result.exit_code == 1
        assert not (log_dir / "sessions.log").exists()

    def test_a_file_that_is_not_a_log_is_a_configuration_problem(self, cli, log_dir):
        log_dir.mkdir()
        (log_dir / "sessions.log").write_text("name,age\nx,1\n")
        result = meditate(cli, log_dir)
        assert result.exit_code == 3
        assert "is not a session log" in result.stderr
        assert "Your intention" not in result.stdout

    @pytest.mark.django_db
    def test_the_limits_are_the_sites(self):
        from meditation import models

        assert (INTENTION_MAX, REFLECTION_MAX) == (models.INTENTION_MAX, models.REFLECTION_MAX)
        assert session_log.USER_MAX == 100


class TestExistingLogs:
    def test_an_old_six_column_log_keeps_its_header_and_says_so_once(self, cli, log_dir):
        log_dir.mkdir()
        old = ",".join(SIX) + "\r\n2024-03-01T07:30:00.123456,amina,patience,1,Ar-Rahman,abc\r\n"
        (log_dir / "sessions.log").write_text(old, newline="")
        result = meditate(cli, log_dir)
        assert result.exit_code == 0
        assert " ".join(result.stdout.split()).count("are not kept in it") == 1
        header, rows = log_rows(log_dir)
        assert header == SIX
        assert len(rows) == 2
        assert len(rows[1]) == 6
        assert rows[1][2] == "my intention"
        assert (log_dir / "sessions.log").read_bytes().startswith(old.encode())

    def test_a_header_in_another_order_gets_its_own_order(self, cli, log_dir):
        log_dir.mkdir()
        header = ["session_id", "Prompt", "timestamp", "user", "name_number",
                  "name_transliteration", "dhikr_count", "notes"]  # fmt: skip
        (log_dir / "sessions.log").write_text(",".join(header) + "\n")
        meditate(cli, log_dir)
        read, [row] = log_rows(log_dir)
        assert read == header
        values = dict(zip(header, row, strict=True))
        assert (values["Prompt"], values["name_number"], values["notes"]) == (
            "my intention",
            "1",
            "",
        )

    def test_a_last_line_left_unended_is_ended_first(self, cli, log_dir):
        log_dir.mkdir()
        (log_dir / "sessions.log").write_text(
            ",".join(NINE) + "\n" + "2024-03-01,a,b,1,Ar-Rahman,x,,,"
        )
        meditate(cli, log_dir)
        _, rows = log_rows(log_dir)
        assert [r[2] for r in rows] == ["b", "my intention"]

    def test_a_blank_file_is_a_new_log(self, cli, log_dir):
        log_dir.mkdir()
        (log_dir / "sessions.log").write_text("\n \n")
        meditate(cli, log_dir)
        header, rows = log_rows(log_dir)
        assert header == NINE
        assert len(rows) == 1


class TestEncrypted:
    def test_an_encrypted_run_writes_a_token_line_and_a_private_key(self, cli, log_dir):
        result = meditate(cli, log_dir, "--encrypt")
        assert result.exit_code == 0, result.output
        lines = log_text(log_dir).splitlines()
        assert len(lines) == 1
        assert session_log.ENCRYPTED_LINE.fullmatch(lines[0])
        key = log_dir / ".key"
        assert mode(key) == 0o600
        Fernet(key.read_bytes())  # a Fernet key, as Fernet.generate_key() makes
        (entry,) = decrypted_lines(log_dir)
        assert list(entry) == NINE
        assert entry["name_number"] == 1
        assert (entry["prompt"], entry["reflection"]) == ("my intention", "a reflection")
        assert (entry["seconds"], entry["dhikr_count"]) == (None, None)
        assert "my intention" not in log_text(log_dir)
        assert "encrypted; its key is" in " ".join(result.stdout.split())

    def test_a_log_without_header_beside_its_key_stays_encrypted(self, cli, log_dir):
        meditate(cli, log_dir, "--encrypt")
        meditate(cli, log_dir, input="second\n")
        assert [e["prompt"] for e in decrypted_lines(log_dir)] == ["my intention", "second"]
        assert len(log_text(log_dir).splitlines()) == 2

    def test_a_key_beside_no_log_yet_encrypts_the_first_row(self, cli, log_dir):
        log_dir.mkdir()
        (log_dir / ".key").write_bytes(Fernet.generate_key())
        meditate(cli, log_dir)
        assert [e["prompt"] for e in decrypted_lines(log_dir)] == ["my intention"]

    def test_an_old_tools_encrypted_log_takes_the_new_rows(self, cli, log_dir):
        log_dir.mkdir()
        key = Fernet.generate_key()
        (log_dir / ".key").write_bytes(key)
        old = {"timestamp": "2024-03-01T07:30:00", "user": "amina", "prompt": "old",
               "name_number": 2, "name_transliteration": "Ar-Rahim",
               "session_id": "x" * 36}  # fmt: skip
        (log_dir / "sessions.log").write_text(
            Fernet(key).encrypt(json.dumps(old).encode()).hex() + "\n"
        )
        assert meditate(cli, log_dir).exit_code == 0
        assert [e["prompt"] for e in decrypted_lines(log_dir)] == ["old", "my intention"]

    def test_no_encrypt_on_an_encrypted_log_is_refused_before_asking(self, cli, log_dir):
        meditate(cli, log_dir, "--encrypt")
        result = meditate(cli, log_dir, "--no-encrypt")
        assert result.exit_code == 3
        assert "is encrypted" in result.stderr
        assert "Your intention" not in result.stdout
        assert len(log_text(log_dir).splitlines()) == 1

    def test_an_encrypted_log_without_its_key_is_refused(self, cli, log_dir):
        meditate(cli, log_dir, "--encrypt")
        (log_dir / ".key").unlink()
        result = meditate(cli, log_dir)
        assert result.exit_code == 3
        assert "key" in result.stderr

    def test_a_damaged_key_is_a_configuration_problem(self, cli, log_dir):
        log_dir.mkdir()
        (log_dir / ".key").write_text("not a key")
        result = meditate(cli, log_dir, "--encrypt")
        assert result.exit_code == 3
        assert "not a key" in result.stderr
        assert not (log_dir / "sessions.log").read_bytes()

    def test_encrypt_on_a_plain_log_adds_token_lines_under_its_header(self, cli, log_dir):
        meditate(cli, log_dir)
        meditate(cli, log_dir, "--encrypt", input="secret intention\n")
        lines = log_text(log_dir).splitlines()
        assert lines[0] == ",".join(NINE)
        assert session_log.ENCRYPTED_LINE.fullmatch(lines[-1])
        assert [e["prompt"] for e in decrypted_lines(log_dir)] == ["secret intention"]
        # Without the option a log with a header stays plain, even with a key beside it.
        meditate(cli, log_dir, input="plain again\n")
        assert log_text(log_dir).splitlines()[-1].split(",")[2] == "plain again"


class TestInterrupted:
    def test_ctrl_c_at_the_intention_ends_gracefully_and_writes_nothing(
        self, cli, log_dir, monkeypatch
    ):
        def interrupt(console, question):
            raise KeyboardInterrupt

        monkeypatch.setattr(prompts, "ask", interrupt)
        result = meditate(cli, log_dir)
        assert result.exit_code == 0
        assert "Interrupted: the sitting ended and nothing was written." in result.stderr
        assert "Traceback" not in result.output
        assert not (log_dir / "sessions.log").exists()

    def test_ctrl_c_at_the_reflection_writes_nothing(self, cli, log_dir, monkeypatch):
        def interrupt():
            raise KeyboardInterrupt

        monkeypatch.setattr(prompts, "rest_of_input", interrupt)
        result = meditate(cli, log_dir)
        assert result.exit_code == 0
        assert "nothing was written" in result.stderr
        assert not (log_dir / "sessions.log").exists()

    def test_ctrl_c_after_one_row_keeps_that_row_only(self, cli, log_dir, monkeypatch):
        meditate(cli, log_dir)

        def interrupt():
            raise KeyboardInterrupt

        monkeypatch.setattr(prompts, "rest_of_input", interrupt)
        assert meditate(cli, log_dir).exit_code == 0
        assert len(log_rows(log_dir)[1]) == 1

    def test_ctrl_c_while_the_row_is_written_waits_for_the_row(self, cli, log_dir, monkeypatch):
        real = session_log.append
        during = []

        def append_then_interrupt(*args):
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C now: held until the row is whole
            during.append("still running")
            return real(*args)

        monkeypatch.setattr(session_log, "append", append_then_interrupt)
        result = meditate(cli, log_dir)
        assert during == ["still running"]
        assert result.exit_code == 0, result.output
        assert len(log_rows(log_dir)[1]) == 1
        assert "Kept in" in result.stdout


class FakeTerminal:
    """Keys as a person presses them, on a clock that moves only when asked: a sitting of
    minutes in no time. `script` is a list of (seconds later, key)."""

    def __init__(self, script, now):
        self.script = list(script)
        self.now = now
        self.entered = self.left = False

    def __call__(self, scale):
        return self

    def __enter__(self):
        self.entered = True
        return self

    def __exit__(self, *exc):
        self.left = True

    def clock(self):
        return self.now[0]

    def read(self, timeout):
        if self.script and self.script[0][0] <= timeout:
            later, key = self.script.pop(0)
            self.now[0] += later
            if key is KeyboardInterrupt:
                raise KeyboardInterrupt
            return key
        if self.script:
            self.script[0] = (self.script[0][0] - timeout, self.script[0][1])
        self.now[0] += timeout
        return None


@pytest.fixture
def terminal(monkeypatch):
    """The command at a terminal: interactive stdin and FakeTerminal keys."""
    made = {}

    def at_terminal(script):
        fake = FakeTerminal(script, [1000.0])
        monkeypatch.setattr(prompts, "interactive", lambda: True)
        monkeypatch.setattr(sitting, "TerminalKeys", fake)
        monkeypatch.setattr(sitting, "scaled_clock", lambda scale: fake.clock)
        made["fake"] = fake
        return fake

    return at_terminal


class TestAtATerminal:
    def test_a_whole_sitting_counts_the_dhikr_and_keeps_the_time(self, cli, log_dir, terminal):
        fake = terminal([(1, " "), (2, "\r"), (3, "\n"), (1, "x"), (1, " ")])
        result = meditate(cli, log_dir, input="at the terminal\nquiet, then grateful\n")
        assert result.exit_code == 0, result.output
        assert fake.entered
        assert fake.left
        header, [row] = log_rows(log_dir)
        values = dict(zip(header, row, strict=True))
        assert (values["seconds"], values["dhikr_count"]) == ("60", "4")
        assert values["reflection"] == "quiet, then grateful"
        assert "dhikr 4" in result.stdout

    @pytest.mark.parametrize("key", ["q", "Q", "\x1b"])
    def test_q_or_esc_ends_early(self, cli, log_dir, terminal, key):
        terminal([(5, " "), (10, key), (1, " ")])
        assert meditate(cli, log_dir, input="x\n\n").exit_code == 0
        header, [row] = log_rows(log_dir)
        values = dict(zip(header, row, strict=True))
        assert (values["seconds"], values["dhikr_count"], values["reflection"]) == ("15", "1", "")

    def test_ctrl_c_during_the_countdown_writes_nothing_and_restores_the_terminal(
        self, cli, log_dir, terminal
    ):
        fake = terminal([(5, " "), (1, KeyboardInterrupt)])
        result = meditate(cli, log_dir, input="x\n")
        assert result.exit_code == 0
        assert fake.left
        assert not (log_dir / "sessions.log").exists()

    def test_the_reflection_prompt_asks_again_when_too_long(self, cli, log_dir, terminal):
        terminal([])
        long = "y" * (REFLECTION_MAX + 1)
        result = meditate(cli, log_dir, input=f"x\n{long}\nshorter\n")
        assert result.exit_code == 0
        assert f"within {REFLECTION_MAX} characters" in result.stdout
        assert log_rows(log_dir)[1][0][6] == "shorter"

    def test_end_of_input_at_the_reflection_is_no_reflection(self, cli, log_dir, terminal):
        terminal([])
        assert meditate(cli, log_dir, input="x\n").exit_code == 0
        assert log_rows(log_dir)[1][0][6] == ""


class TestCountdown:
    def run(self, script, seconds=60):
        fake = FakeTerminal(script, [0.0])
        from rich.console import Console

        console = Console(file=open("/dev/null", "w"), force_terminal=True)  # noqa: SIM115
        try:
            return sitting.countdown(console, seconds, fake, clock=fake.clock)
        finally:
            console.file.close()

    def test_it_runs_to_the_end_counting_space_and_enter(self):
        assert self.run([(1, " "), (1, "\r"), (1, "\n"), (1, "a")]) == sitting.Sat(60, 3, False)

    def test_q_ends_it_early(self):
        assert self.run([(10, " "), (20, "q")]) == sitting.Sat(30, 1, True)

    def test_an_escape_sequence_is_no_key(self):
        assert self.run([(1, ""), (1, " ")], seconds=5) == sitting.Sat(5, 1, False)

    def test_the_clock_face_counts_down(self):
        assert sitting._clock_face(600) == "10:00 left"
        assert sitting._clock_face(59.2) == "1:00 left"
        assert sitting._clock_face(0) == "0:00 left"

    def test_the_time_scale_comes_from_the_environment(self, monkeypatch):
        assert sitting.time_scale() == 1.0
        monkeypatch.setenv("AYSEKAI_TIME_SCALE", "60")
        assert sitting.time_scale() == 60.0
        for bad in ("fast", "0", "-2"):
            monkeypatch.setenv("AYSEKAI_TIME_SCALE", bad)
            assert sitting.time_scale() == 1.0
