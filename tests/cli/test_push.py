"""`aysekai push` against a fake site (http.server in a thread) answering as the import API
does: the multipart upload, the bearer token, polling, the report, and every refusal's exit
code. tests/cli/test_push_site.py pushes to the real API."""

import email.parser
import email.policy
import json
import socket
import threading
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography.fernet import Fernet

from aysekai_cli import push, session_log

TOKEN = "ays_Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eA"


@dataclass
class Seen:
    method: str
    path: str
    headers: dict
    body: bytes

    def parts(self):
        """The multipart body's fields: name → (filename, content)."""
        head = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + self.body)
        return {
            part.get_param("name", header="content-disposition"): (
                part.get_filename(),
                part.get_payload(decode=True),
            )
            for part in message.iter_parts()
        }


class FakeSite:
    """Answers each request with the next scripted answer: (status, JSON body, headers)."""

    def __init__(self):
        self.answers = []
        self.seen = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                site.seen.append(
                    Seen(self.command, self.path, dict(self.headers), self.rfile.read(length))
                )
                status, body, headers = site.answers.pop(0) if site.answers else (500, {}, {})
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def script(self, *answers):
        self.answers.extend(a if len(a) == 3 else (*a, {}) for a in answers)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site():
    fake = FakeSite()
    yield fake
    fake.stop()


def job(status, imported=0, skipped=0, rejected=0, report=(), error="", job_id=None):
    job_id = job_id or str(uuid.uuid4())
    return {"id": job_id, "status": status, "url": f"/api/import/{job_id}/",
            "imported": imported, "skipped": skipped, "rejected": rejected,
            "report": list(report), "error": error}  # fmt: skip


@pytest.fixture
def plain_log(cli, log_dir):
    result = cli("meditate", "-n", "1", "--log-dir", log_dir, input="intention\n")
    assert result.exit_code == 0
    return (log_dir / "sessions.log").read_bytes()


def run_push(cli, site, log_dir, *options, token=TOKEN, **kwargs):
    args = ["push", "--site", site.url, "--log-dir", log_dir, "--poll-interval", "0.01"]
    if token is not None:
        args += ["--token", token]
    result = cli(*args, *options, **kwargs)
    assert TOKEN not in result.output  # the token is never echoed
    return result


class TestUpload:
    def test_202_then_polling_until_done_prints_the_report(self, cli, site, log_dir, plain_log):
        queued = job("queued")
        site.script(
            (202, queued),
            (200, {**queued, "status": "running"}),
            (200, {**queued, "status": "done", "imported": 1}),
        )
        result = run_push(cli, site, log_dir)
        assert result.exit_code == 0, result.output
        assert "1 imported, 0 skipped, 0 rejected." in result.stdout
        post, *polls = site.seen
        assert (post.method, post.path) == ("POST", "/api/import/")
        assert post.headers["Authorization"] == f"Bearer {TOKEN}"
        assert post.headers["Content-Type"].startswith("multipart/form-data; boundary=")
        assert post.parts() == {"file": ("sessions.log", plain_log)}
        assert [(p.method, p.path) for p in polls] == [("GET", queued["url"])] * 2
        assert all(p.headers["Authorization"] == f"Bearer {TOKEN}" for p in polls)

    def test_a_second_push_reports_0_imported_and_exits_0(self, cli, site, log_dir, plain_log):
        skipped = [{"row": 2, "outcome": "skipped", "reason": "already imported"}]
        site.script((200, job("done", skipped=1, report=skipped)))
        result = run_push(cli, site, log_dir)
        assert result.exit_code == 0
        assert "0 imported, 1 skipped, 0 rejected." in result.stdout
        assert "already imported" in result.stdout

    def test_rejected_rows_are_listed_with_their_reasons(self, cli, site, log_dir, plain_log):
        report = [{"row": 3, "outcome": "rejected", "reason": "prompt is empty"}]
        site.script((200, job("done", imported=1, rejected=1, report=report)))
        result = run_push(cli, site, log_dir)
        assert result.exit_code == 0
        assert "1 imported, 0 skipped, 1 rejected." in result.stdout
        assert "prompt is empty" in result.stdout

    def test_an_encrypted_log_goes_with_its_key(self, cli, site, log_dir):
        cli("meditate", "-n", "1", "--encrypt", "--log-dir", log_dir, input="x\n")
        site.script((200, job("done", imported=1)))
        assert run_push(cli, site, log_dir).exit_code == 0
        parts = site.seen[0].parts()
        assert parts["file"] == ("sessions.log", (log_dir / "sessions.log").read_bytes())
        assert parts["key"] == (".key", (log_dir / ".key").read_bytes())

    def test_the_token_can_come_from_the_environment(self, cli, site, log_dir, plain_log):
        site.script((200, job("done", imported=1)))
        result = run_push(cli, site, log_dir, token=None, env={"AYSEKAI_TOKEN": TOKEN})
        assert result.exit_code == 0
        assert site.seen[0].headers["Authorization"] == f"Bearer {TOKEN}"

    def test_the_site_can_come_from_the_environment(self, cli, site, log_dir, plain_log):
        site.script((200, job("done", imported=1)))
        result = cli("push", "--log-dir", log_dir, env={"AYSEKAI_SITE": site.url + "/",
                                                        "AYSEKAI_TOKEN": TOKEN})  # fmt: skip
        assert result.exit_code == 0
        assert site.seen[0].path == "/api/import/"


class TestRefusals:
    @pytest.mark.parametrize(
        ("status", "body", "headers", "message"),
        [
            (401, {"detail": "That token is not one of ours."}, {}, "is not one of ours."),
            (403, {"detail": "That token may not import sessions."}, {}, "may not import"),
            (400, {"detail": "The file is empty.", "errors": {"file": ["The file is empty."]}},
             {}, "The file is empty."),
            (413, {"detail": "Too big."}, {}, "too big"),
            (429, {"detail": "Too many imports."}, {"Retry-After": "60"}, "in 60 s"),
            (404, {"detail": "Not Found"}, {}, "no import API"),
        ],
    )  # fmt: skip
    def test_a_4xx_exits_4_with_the_sites_message(
        self, cli, site, log_dir, plain_log, status, body, headers, message
    ):
        site.script((status, body, headers))
        result = run_push(cli, site, log_dir)
        assert result.exit_code == 4
        assert message in " ".join(result.stderr.split())

    def test_a_failed_import_exits_4_with_its_error(self, cli, site, log_dir, plain_log):
        site.script((200, job("failed", error="The file is not well-formed CSV near row 3.")))
        result = run_push(cli, site, log_dir)
        assert result.exit_code == 4
        assert "not well-formed CSV near row 3" in " ".join(result.stderr.split())

    def test_a_refusal_while_polling_exits_4(self, cli, site, log_dir, plain_log):
        site.script((202, job("queued")), (401, {"detail": "That token was revoked."}))
        result = run_push(cli, site, log_dir)
        assert result.exit_code == 4
        assert "revoked" in result.stderr

    def test_a_429_while_polling_waits_and_polls_again(self, cli, site, log_dir, plain_log):
        queued = job("queued")
        site.script(
            (202, queued),
            (429, {"detail": "slow down"}, {"Retry-After": "0"}),
            (200, {**queued, "status": "done", "imported": 1}),
        )
        assert run_push(cli, site, log_dir).exit_code == 0
        assert len(site.seen) == 3

    def test_a_5xx_exits_5(self, cli, site, log_dir, plain_log):
        site.script((503, {"detail": "Down for maintenance."}))
        result = run_push(cli, site, log_dir)
        assert result.exit_code == 5
        assert "Down for maintenance." in result.stderr

    def test_an_answer_that_is_not_the_apis_exits_5(self, cli, site, log_dir, plain_log):
        site.script((200, b"<html>a blog</html>"))
        result = run_push(cli, site, log_dir)
        assert result.exit_code == 5
        assert "not its import API" in " ".join(result.stderr.split())

    def test_a_site_that_never_finishes_exits_5_after_the_timeout(
        self, cli, site, log_dir, plain_log
    ):
        site.script(*[(200, job("running", job_id="1"))] * 200)
        result = run_push(cli, site, log_dir, "--timeout", "1", "--poll-interval", "0.2")
        assert result.exit_code == 5
        assert "had not finished the import after 1 s" in " ".join(result.stderr.split())

    def test_a_redirect_is_not_followed(self, cli, site, log_dir, plain_log):
        elsewhere = FakeSite()
        try:
            site.script((302, {}, {"Location": elsewhere.url + "/api/import/"}))
            result = run_push(cli, site, log_dir)
        finally:
            elsewhere.stop()
        assert result.exit_code == 3
        assert "redirects" in result.stderr
        assert elsewhere.seen == []

    def test_a_poll_url_elsewhere_is_not_followed(self, cli, site, log_dir, plain_log):
        site.script((202, {**job("queued"), "url": "https://evil.example/steal/"}))
        result = run_push(cli, site, log_dir)
        assert result.exit_code == 5
        assert len(site.seen) == 1

    def test_connection_refused_exits_5(self, cli, log_dir, plain_log):
        with socket.socket() as probe:  # a free port, closed again: nothing listens there
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        result = cli("push", "--site", f"http://127.0.0.1:{port}", "--token", TOKEN,
                     "--log-dir", log_dir)  # fmt: skip
        assert result.exit_code == 5
        assert "cannot be reached" in result.stderr
        assert TOKEN not in result.output


class TestInterrupted:
    def test_ctrl_c_while_the_site_imports_exits_130_and_says_the_upload_goes_on(
        self, cli, site, log_dir, plain_log, monkeypatch
    ):
        real = push.push

        def interrupt(seconds):
            raise KeyboardInterrupt

        monkeypatch.setattr(push, "push", lambda *a, **k: real(*a, **{**k, "sleep": interrupt}))
        site.script((202, job("queued")))
        result = run_push(cli, site, log_dir)
        assert result.exit_code == 130  # unlike a sitting's 0: a script must not take it as done
        assert "An upload already sent goes on being imported" in " ".join(result.stderr.split())
        assert "Traceback" not in result.output
        assert [s.method for s in site.seen] == ["POST"]


class TestConfiguration:
    def test_no_token_exits_3_before_anything_is_sent(self, cli, site, log_dir, plain_log):
        result = run_push(cli, site, log_dir, token=None)
        assert result.exit_code == 3
        assert "No token" in result.stderr
        assert site.seen == []

    def test_no_site_exits_3(self, cli, log_dir, plain_log):
        result = cli("push", "--token", TOKEN, "--log-dir", log_dir)
        assert result.exit_code == 3
        assert "Which site?" in result.stderr

    @pytest.mark.parametrize(
        "url",
        ["not a url", "ftp://example.org", "http://example.org", "https://", "https://x.org?a=1",
         "https://user:pw@x.org", "https://x.org:99999"],
    )  # fmt: skip
    def test_a_bad_url_exits_3(self, cli, log_dir, plain_log, url):
        result = cli("push", "--site", url, "--token", TOKEN, "--log-dir", log_dir)
        assert result.exit_code == 3, result.output

    @pytest.mark.parametrize("token", ["two words", "tab\there", "ünï"])
    def test_a_token_the_site_never_makes_exits_3(self, cli, site, log_dir, plain_log, token):
        assert run_push(cli, site, log_dir, token=token).exit_code == 3
        assert site.seen == []

    def test_no_log_exits_3(self, cli, site, log_dir):
        result = run_push(cli, site, log_dir)
        assert result.exit_code == 3
        assert "There is no session log" in " ".join(result.stderr.split())

    def test_an_encrypted_log_without_its_key_exits_3(self, cli, site, log_dir):
        cli("meditate", "-n", "1", "--encrypt", "--log-dir", log_dir, input="x\n")
        (log_dir / ".key").unlink()
        result = run_push(cli, site, log_dir)
        assert result.exit_code == 3
        assert site.seen == []


class TestSiteUrl:
    @pytest.mark.parametrize(
        ("raw", "base"),
        [
            ("https://aysekai.example/", "https://aysekai.example"),
            (" https://aysekai.example/under/ ", "https://aysekai.example/under"),
            ("http://localhost:8000", "http://localhost:8000"),
            ("http://127.0.0.1:8000/", "http://127.0.0.1:8000"),
            ("http://[::1]:8000", "http://[::1]:8000"),
        ],
    )
    def test_the_base_url(self, raw, base):
        assert push.site_url(raw) == base

    def test_the_multipart_body_is_what_a_server_parses(self):
        body, kind = push.multipart({"file": ("sessions.log", b"a,b\r\n1,2\r\n", "text/csv")})
        parts = Seen("POST", "/", {"Content-Type": kind}, body).parts()
        assert parts == {"file": ("sessions.log", b"a,b\r\n1,2\r\n")}

    def test_a_log_with_token_lines_under_a_header_goes_with_the_key(self, log_dir):
        log_dir.mkdir()
        key = Fernet.generate_key()
        (log_dir / ".key").write_bytes(key)
        token = Fernet(key).encrypt(b"{}").hex()
        (log_dir / "sessions.log").write_text(",".join(session_log.COLUMNS) + "\n" + token + "\n")
        assert push.read_upload(log_dir).key == key
