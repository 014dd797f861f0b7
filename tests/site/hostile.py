"""Hostile values, and sending them as an attacker would: for tests/site/test_hostile_input.py.

Values travel percent-encoded as written here, so that NUL bytes, invalid UTF-8 and lone
surrogates reach the site exactly as a crafted request carries them.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote_to_bytes

from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.timezone import now

from meditation.learn import rounds
from meditation.models import DivineName, ExportJob, ImportJob
from tests.accounts.helpers import PASSWORD
from tests.conftest import verify_second_factor
from tests.factories import MeditationSessionFactory, UserFactory, make_entries
from tests.meditation.helpers import committed

XSS = "<script>alert(1)</script>"
ATTRIBUTE = '" onmouseover="alert(1)" x="'
# fmt: off
TEXT = [
    # Empty, overlong, direction overrides and invisible, combining, other scripts' digits.
    "", "x" * 70_000, "\u202eevil\u202c\u200f\ufeff\u200b", "e\u0301\u0301" * 20 + "😀ﷺـــ",
    "١٢", "１２",
    # SQL, markup, templates and format strings, paths, other places (and a bare word).
    "' OR '1'='1' --", XSS + ATTRIBUTE, "javascript:alert(1)", "{{ 7|add:7 }}{% debug %}%s%n",
    "../../../../etc/passwd", "//evil.example/", "https://evil.example/", "\\\\evil.example",
    "journal", "/journal/\r\nSet-Cookie: x=1",
    # Numbers and dates out of every range; deep nesting and thousands of words.
    "99999999999999999999999999", "-99999999999999999999", "-1", "1e309",
    "0000-00-00", "0001-01-01", "9999-12-31", "99999-01-01", "[" * 20_000, '{"a": ' * 5_000,
]
# On the wire as they are: NUL and control bytes, invalid UTF-8 (a lone byte, a CESU-8 lone
# surrogate) and a broken escape.
RAW = ["%00", "a%00b", "%01%02%1b%7f", "%ff", "%ed%a0%80", "%zz"]
# fmt: on
VALUES = [quote(v, safe="") for v in TEXT] + RAW
XSS_VALUE = quote(XSS, safe="")
# Never in a page as written: only escaped.
UNESCAPED = (XSS, 'onmouseover="alert(1)"', 'href="javascript:')


@dataclass(frozen=True)
class Form:
    who: str  # visitor, user, user with 2fa, staff, signing in with 2fa, visitor with a reset link
    url: str  # {placeholders} are the World's
    fields: tuple[str, ...]  # each gets every value, the others valid
    data: dict[str, Any] = field(default_factory=dict)  # valid values for the other fields
    # Choices, checkboxes and the like: each value goes to all of them at once (their own
    # checks, not what a valid form does next).
    together: tuple[str, ...] = ()
    method: str = "post"
    htmx: bool = False
    fresh_client: bool = False  # success signs in: every request from a new browser


EMAILS = (f"new{n}@example.com" for n in itertools.count())
# fmt: off
MEDITATE = {"intention": "To listen", "length": "5", "interval_bell": "0", "dhikr_target": "33",
            "end_bell": "on", "number": "", "custom_minutes": ""}
FINISH = {"reflection": "quiet", "mood": "", "dhikr_count": "3", "minutes": "1",
          "elapsed_seconds": ""}
SETTINGS = {"display_name": "M", "time_zone": "Asia/Tokyo", "default_session_minutes": "10",
            "dhikr_target": "33", "language": "en", "theme": "auto", "show_streaks": "on",
            "arabic_indic_digits": ""}
SIGN_UP = {"email": lambda: next(EMAILS), "password1": PASSWORD, "password2": PASSWORD,
           "next": "/journal/"}
SIGN_IN = {"username": "{email}", "password": PASSWORD, "next": "/journal/"}
NEW_PASSWORDS = {"new_password1": "another long passphrase",
                 "new_password2": "another long passphrase"}
def visitor_round(first: int) -> str:
    return rounds.dumps(rounds.new_round(first))


ANSWER = {"number": "1", "direction": "arabic", "seen": "0", "answer": "1", "felt": "3"}
VISITOR_ANSWER = {**ANSWER, "round": lambda: visitor_round(first=1)}
RECITE = {"after": "0", "name_1": "rahman", "name_2": "rahim"}
LEARNING = {"directions": "arabic", "new_per_day": "5"}
NAME_ONE = {"number": "1", "slug": "{name_slug}", "arabic": "{name_arabic}",
            "transliteration": "{name_transliteration}", "meaning": "{name_meaning}",
            "quran_references": "1:3"}
# fmt: on


class World:
    """The people and objects the URLs name, and a browser for each kind of person."""

    def __init__(self) -> None:
        self.user = UserFactory()
        make_entries(self.user, 3)
        self.with_2fa = UserFactory()
        verify_second_factor(Client(), self.with_2fa)  # gives them a confirmed device
        self.staff = UserFactory(is_staff=True, is_superuser=True)
        name = DivineName.objects.get(number=1)
        self.known: dict[str, Any] = {
            "entry": MeditationSessionFactory(user=self.user).pk,
            "import": ImportJob.objects.create(owner=self.user, status="done", size=1).pk,
            "done_export": self._done_export(),
            "email": self.user.email,
            "uid": urlsafe_base64_encode(force_bytes(self.user.pk)),
            "name": name.pk,
        }
        for attribute in ("slug", "arabic", "transliteration", "meaning"):
            self.known[f"name_{attribute}"] = getattr(name, attribute)

    def _done_export(self):
        with committed():  # built by the (eager) task, as the person's own request does
            self.client("user").post("/exports/", {"format": "csv"})
        return ExportJob.objects.get(owner=self.user, status="done").pk

    def client(self, who: str) -> Client:
        client = Client(raise_request_exception=False)
        if who == "user":
            client.force_login(self.user)
        elif who == "user with 2fa":
            verify_second_factor(client, self.with_2fa)
        elif who == "staff":
            verify_second_factor(client, self.staff)
        elif who == "signing in with 2fa":  # the first step passed; the code is asked for
            client.post("/accounts/login/", {"username": self.with_2fa.email, "password": PASSWORD})
        elif who == "visitor with a reset link":
            token = default_token_generator.make_token(self.user)
            client.get(f"/accounts/password_reset/{self.known['uid']}/{token}/")
        return client

    def fill(self, template: str, client: Client) -> str:
        """Placeholders filled; a sitting and the like are made anew each time, as one
        successful request uses them up."""
        fresh = {
            "sitting": lambda: (
                MeditationSessionFactory(user=self.user, ended_at=None, actual_seconds=None).pk
            ),
            "binned": lambda: MeditationSessionFactory(user=self.user, deleted_at=now()).pk,
            "export": lambda: ExportJob.objects.create(owner=self.user, status="failed").pk,
            "visit": lambda: client.post("/meditate/", MEDITATE)["Location"].split("/")[2],
        }
        for key, make in fresh.items():
            if "{" + key + "}" in template:
                template = template.replace("{" + key + "}", str(make()))
        return template.format(**self.known)

    def attack(self, form: Form, variants: Iterable[tuple[str, list[tuple[str, str]]]]):
        """Sends each variant (pairs replacing the valid data's); what went wrong."""
        problems: list[str] = []
        client = self.client(form.who)
        for label, hostile in variants:
            if form.fresh_client or form.who == "signing in with 2fa":
                client = self.client(form.who)
            url = self.fill(form.url, client)
            replaced = {key for key, _ in hostile}
            valid = [
                (key, quote(value() if callable(value) else self.fill(value, client), safe=""))
                for key, value in form.data.items()
                if key not in replaced
            ]
            response = send(client, form, url, valid + hostile)
            problems += problems_of(response, f"{form.method.upper()} {url} {label}")
        return problems


def one_field_at_a_time(form: Form):
    for key in form.fields:
        for value in VALUES:
            yield f"{key}={value[:40]}", [(key, value)]
        yield f"{key}=[two values]", [(key, XSS_VALUE), (key, "%00")]
    if form.together:
        for value in VALUES:
            yield f"{','.join(form.together)}={value[:40]}", [(k, value) for k in form.together]
        yield "[two values each]", [(k, v) for k in form.together for v in (XSS_VALUE, "%00")]


def send(client: Client, form: Form, url: str, pairs: list[tuple[str, str]]):
    body = "&".join(f"{key}={value}" for key, value in pairs)
    headers = {"HTTP_HX_REQUEST": "true"} if form.htmx else {}
    if form.method == "get":
        return client.get(f"{url}?{body}", **headers)
    if form.fields == ("file",):
        return upload(client, url, dict(pairs).get("file", ""))
    return client.post(url, body, content_type="application/x-www-form-urlencoded", **headers)


def upload(client: Client, url: str, value: str):
    """A multipart upload whose file is named and filled with the value's bytes."""
    content = unquote_to_bytes(value)
    name = content[:200].replace(b'"', b"").replace(b"\r", b"").replace(b"\n", b"") or b"a.csv"
    boundary = b"hostile-boundary"
    body = (
        b"--" + boundary + b'\r\nContent-Disposition: form-data; name="file"; filename="' + name
        + b'"\r\nContent-Type: text/csv\r\n\r\n' + content + b"\r\n--" + boundary + b"--\r\n"
    )  # fmt: skip
    return client.post(url, body, content_type="multipart/form-data; boundary=hostile-boundary")


def problems_of(response, what: str) -> list[str]:
    if response.status_code >= 500:
        return [f"{response.status_code}: {what}"]
    if "html" not in response.get("Content-Type", ""):
        return []
    page = response.content.decode("utf-8", "replace")
    return [f"echoed {raw!r}: {what}" for raw in UNESCAPED if raw in page]
