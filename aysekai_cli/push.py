"""`aysekai push`: the local log uploaded into the person's journal on the site, with a
personal token (Settings on the site), through its import API:

- `POST {site}/api/import/`, multipart: `file` (the log, as `sessions.log`) and, when the log
  has encrypted rows, `key` (its `.key`), with `Authorization: Bearer <token>`;
- 200 or 202 with the job (`status` queued, running, done or failed, `url`, the counts, the
  report); while queued or running, `GET {site}{url}` every second until it is done;
- 401 (no or a bad token), 403 (a token without the import scope), 400 (a file the importer
  refuses, `errors.file`), 413 (too big), 429 (`Retry-After`).

The site skips rows whose session_id it already has, so pushing the same log twice imports
nothing twice. The token is sent only to the site given, over HTTPS (plain HTTP only to this
machine), never in a redirect (none is followed), and never printed.
"""

from __future__ import annotations

import ipaddress
import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Any

from .errors import CliError, ConfigurationError, Refused, Unreachable
from .session_log import ENCRYPTED_LINE, KEY_NAME, LOG_NAME

IMPORT_PATH = "/api/import/"
REQUEST_TIMEOUT = 30.0  # seconds for one request
PENDING = {"queued", "running"}
USER_AGENT = "aysekai-cli/0.1.0"
# What a refusal says, by status ({said} is the site's own message, when it gives one).
REFUSALS = {
    401: "The site refused the token (401).{said} Check AYSEKAI_TOKEN or --token.",
    403: (
        "This token may not import sessions (403).{said} Make one with the “import sessions” "
        "scope in your Settings on the site."
    ),
    404: "The site has no import API at that address (404).{said}",
    413: "The log is too big for the site (413).{said}",
}


@dataclass
class Report:
    """The site's answer about one import."""

    id: str
    status: str
    url: str
    imported: int = 0
    skipped: int = 0
    rejected: int = 0
    rows: list[tuple[int, str, str]] = field(default_factory=list)  # row, outcome, reason
    error: str = ""


def site_url(raw: str) -> str:
    """The site's base URL without a trailing slash, or ConfigurationError."""
    text = raw.strip()
    try:
        parts = urllib.parse.urlsplit(text)
        host = parts.hostname
        parts.port  # noqa: B018 (raises ValueError for a bad port)
    except ValueError:
        raise ConfigurationError(f"“{raw}” is not a URL (e.g. https://aysekai.example).") from None
    if parts.scheme not in {"http", "https"} or not host:
        raise ConfigurationError(
            f"“{raw}” is not a site's URL: give it with https://, e.g. https://aysekai.example."
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ConfigurationError(
            f"“{raw}”: give only the site's address, without ?query, #fragment or user name."
        )
    if parts.scheme == "http" and not _loopback(host):
        raise ConfigurationError(
            f"{raw} is plain HTTP: the token would cross the network unencrypted. Use https:// "
            "(plain http:// is accepted only for this machine: localhost, 127.0.0.1, [::1])."
        )
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_token(raw: str | None) -> str:
    token = (raw or "").strip()
    if not token:
        raise ConfigurationError(
            "No token: make a personal token in your Settings on the site, then set "
            "AYSEKAI_TOKEN (or pass --token)."
        )
    if not token.isascii() or not token.isprintable() or " " in token:
        raise ConfigurationError("The token is not one the site makes (letters, digits, - and _).")
    return token


@dataclass(frozen=True)
class Upload:
    log: bytes
    key: bytes | None


def read_upload(directory: Path) -> Upload:
    """The log and, when it has encrypted rows, its key; ConfigurationError if one is missing."""
    path = directory / LOG_NAME
    try:
        log = path.read_bytes()
    except FileNotFoundError:
        raise ConfigurationError(
            f"There is no session log at {path}. Meditate first (aysekai meditate), or give "
            "the folder of your log with --log-dir."
        ) from None
    except OSError as error:
        raise ConfigurationError(f"{path} cannot be read ({error.strerror or error}).") from None
    if not log.strip():
        raise ConfigurationError(f"{path} is empty: there is nothing to push.")
    lines = log.decode("utf-8", errors="replace").splitlines()
    encrypted = any(ENCRYPTED_LINE.fullmatch(line.strip()) for line in lines)
    if not encrypted:
        return Upload(log, None)
    key_path = directory / KEY_NAME
    try:
        return Upload(log, key_path.read_bytes())
    except OSError:
        raise ConfigurationError(
            f"{path} has encrypted rows, but its key {key_path} cannot be read: the site needs "
            "both to import them."
        ) from None


def multipart(files: Mapping[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    """A multipart/form-data body of files (field → filename, content, type); its type."""
    boundary = f"aysekai-{uuid.uuid4().hex}"
    body = bytearray()
    for field_name, (filename, content, kind) in files.items():
        body += (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{field_name}"; filename="{filename}"\r\n'
            f"Content-Type: {kind}\r\n\r\n"
        ).encode("ascii")
        body += content + b"\r\n"
    body += f"--{boundary}--\r\n".encode("ascii")
    return bytes(body), f"multipart/form-data; boundary={boundary}"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is not followed: it could carry the token to another address."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    headers: Message


class Client:
    def __init__(self, site: str, token: str) -> None:
        self.site = site
        self._token = token
        self._opener = urllib.request.build_opener(_NoRedirects())

    def request(
        self, method: str, url: str, data: bytes | None = None, kind: str | None = None
    ) -> Answer:
        headers = {
            "Authorization": f"Bearer {self._token}",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        if kind:
            headers["Content-Type"] = kind
        request = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310 (the scheme is checked: http or https)
        try:
            with self._opener.open(request, timeout=REQUEST_TIMEOUT) as response:
                return Answer(response.status, _json(response.read()), response.headers)
        except urllib.error.HTTPError as error:
            with error:
                body = error.read()
            return Answer(error.code, _json(body), error.headers)
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise Unreachable(f"The site {self.site} cannot be reached ({reason}).") from None


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def _detail(answer: Answer) -> str:
    body = answer.body if isinstance(answer.body, dict) else {}
    detail = body.get("detail")
    messages = [detail] if isinstance(detail, str) and detail else []
    errors = body.get("errors")
    if isinstance(errors, dict):
        for problems in errors.values():
            for problem in problems if isinstance(problems, list) else [problems]:
                if isinstance(problem, str) and problem not in messages:
                    messages.append(problem)
    return " ".join(messages)


def _refusal(answer: Answer) -> CliError:
    status, detail = answer.status, _detail(answer)
    said = f" The site says: {detail}" if detail else ""
    if 300 <= status < 400:
        where = answer.headers.get("Location", "")
        return ConfigurationError(
            f"The site redirects ({status}) to {where or 'another address'}: the token is not "
            "sent after a redirect. Give the site's own address with --site."
        )
    if status in REFUSALS:
        return Refused(REFUSALS[status].format(said=said))
    if status == 429:
        wait = answer.headers.get("Retry-After", "")
        later = f" in {wait} s" if wait.strip().isdigit() else " later"
        return Refused(f"The site asks to wait (429): try again{later}.{said}")
    if 400 <= status < 500:
        return Refused(f"The site refused the log ({status}).{said}")
    return Unreachable(f"The site failed ({status}).{said} Try again later.")


def _report(answer: Answer) -> Report:
    body = answer.body
    if not isinstance(body, dict) or not isinstance(body.get("status"), str):
        raise Unreachable(
            f"The site's answer ({answer.status}) is not its import API's: is the URL the "
            "site's address?"
        )
    rows = [
        (_number(line.get("row")), str(line.get("outcome", "")), str(line.get("reason", "")))
        for line in body.get("report") or []
        if isinstance(line, dict)
    ]
    return Report(
        id=str(body.get("id", "")),
        status=body["status"],
        url=str(body.get("url") or ""),
        imported=_number(body.get("imported")),
        skipped=_number(body.get("skipped")),
        rejected=_number(body.get("rejected")),
        rows=rows,
        error=str(body.get("error") or ""),
    )


def _number(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _poll_url(site: str, report: Report) -> str:
    url = report.url or (f"{IMPORT_PATH}{report.id}/" if report.id else "")
    if url.startswith("/"):
        return site + url
    origin = urllib.parse.urlsplit(site)
    polled = urllib.parse.urlsplit(url)
    if (polled.scheme, polled.netloc) == (origin.scheme, origin.netloc):
        return url
    raise Unreachable("The site's answer points elsewhere to follow the import: not followed.")


def push(
    site: str,
    token: str,
    upload: Upload,
    *,
    timeout: float,
    interval: float = 1.0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    waiting: Callable[[Report], None] = lambda report: None,
) -> Report:
    """Upload, then follow the import until it is done or failed; the final report."""
    client = Client(site, token)
    files = {"file": (LOG_NAME, upload.log, "text/csv")}
    if upload.key is not None:
        files["key"] = (KEY_NAME, upload.key, "application/octet-stream")
    body, kind = multipart(files)
    deadline = clock() + timeout
    answer = client.request("POST", site + IMPORT_PATH, body, kind)
    if answer.status not in {200, 202}:
        raise _refusal(answer)
    report = _report(answer)
    while report.status in PENDING:
        waiting(report)
        pause = interval
        if clock() + pause > deadline:
            raise Unreachable(
                f"The site had not finished the import after {timeout:g} s (it is "
                f"{report.status}); it goes on there: see Import on the site, or push again "
                "later (nothing is imported twice)."
            )
        sleep(pause)
        answer = client.request("GET", _poll_url(site, report))
        if answer.status == 429:
            retry = answer.headers.get("Retry-After", "")
            wait = float(retry) if retry.strip().isdigit() else interval
            sleep(min(wait, max(deadline - clock(), 0.0)))
            continue
        if answer.status != 200:
            raise _refusal(answer)
        report = _report(answer)
    if report.status != "done":
        detail = f": {report.error}" if report.error else "."
        raise Refused(f"The site could not import the log ({report.status}){detail}")
    return report
