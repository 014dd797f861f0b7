"""Pages with a person's data are never stored: `Cache-Control: private, no-store` (issue 11).

Every URL of the signed-in person, pages, htmx fragments and the redirects of their POSTs, is
tried through the real URL; the visitor's public pages must stay cacheable as before.
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from accounts import email_change, personal_tokens
from accounts.models import User
from meditation.models import ExportJob, JobStatus
from tests.accounts.helpers import PASSWORD, sign_in
from tests.factories import ExportJobFactory, ImportJobFactory, MeditationSessionFactory
from tests.meditation.helpers import committed
from tests.meditation.imports.helpers import log, row

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
SITTING = {"minutes": "1", "reflection": "settled", "dhikr_count": "3", "elapsed_seconds": "60"}


def directives(response) -> set[str]:
    return {d.strip().split("=")[0] for d in response.get("Cache-Control", "").split(",") if d}


def is_private(response) -> bool:
    return {"private", "no-store"} <= directives(response) and "Cookie" in response.get("Vary", "")


def case(method, url, data=None, htmx=False, id=None):
    return pytest.param(method, url, data or {}, htmx, id=id or f"{method.upper()} {url}")


# Every URL of a signed-in person (the URL contract), with {placeholders} for their objects.
SIGNED_IN = [
    case("get", "/"),
    case("get", "/names/"),
    case("get", "/names/?q=rahman", htmx=True, id="GET /names/?q= (htmx)"),
    case("get", "/names/1/"),
    case("get", "/about/"),
    case("get", "/meditate/"),
    case("post", "/meditate/", {"intention": "patience", "length": "10", "interval_bell": "0",
                                "dhikr_target": "33"}),
    case("get", "/accounts/settings/tokens/"),
    case("post", "/accounts/settings/tokens/", {"name": "laptop", "current_password": PASSWORD}),
    case("post", "/accounts/settings/tokens/{token}/revoke/"),
    case("get", "/learn/"),
    case("get", "/learn/?name=47"),
    case("post", "/learn/answer/", {"number": "1", "direction": "arabic", "seen": "0",
                                    "answer": "1"}),
    case("post", "/learn/answer/", {"number": "1", "direction": "arabic", "seen": "0",
                                    "answer": "2"}, htmx=True, id="POST /learn/answer/ (htmx)"),
    case("get", "/learn/recite/"),
    case("post", "/learn/recite/", {"after": "0", "name_1": "rahman"}),
    case("get", "/learn/settings/"),
    case("post", "/learn/settings/", {"directions": ["arabic"], "new_per_day": "3"}),
    case("get", "/meditate/{sitting}/"),
    case("post", "/meditate/{sitting}/dhikr/", htmx=True, id="POST /meditate/<id>/dhikr/ (htmx)"),
    case("post", "/meditate/{sitting}/dhikr/"),
    case("post", "/meditate/{sitting}/finish/", SITTING),
    case("get", "/journal/"),
    case("get", "/journal/?q=quiet&from=2020-01-01", htmx=True, id="GET /journal/?q= (htmx)"),
    case("get", "/journal/?page=999"),
    case("get", "/journal/stats/"),
    case("get", "/journal/trash/"),
    case("get", "/journal/{entry}/"),
    case("get", "/journal/{entry}/edit/"),
    case("get", "/journal/{entry}/edit/", htmx=True, id="GET /journal/<id>/edit/ (htmx)"),
    case("post", "/journal/{entry}/edit/", {"reflection": "later", "mood": ""}),
    case("post", "/journal/{entry}/edit/", {"reflection": "later", "mood": ""}, htmx=True,
         id="POST /journal/<id>/edit/ (htmx)"),
    case("post", "/journal/{entry}/delete/"),
    case("post", "/journal/{entry}/delete/", htmx=True, id="POST /journal/<id>/delete/ (htmx)"),
    case("post", "/journal/{binned}/restore/"),
    case("get", "/journal/{unknown}/", id="GET /journal/<unknown>/ (404)"),
    case("get", "/journal/import/"),
    case("post", "/journal/import/", {"upload": True}),
    case("get", "/journal/import/{import}/"),
    case("get", "/journal/import/{import}/", htmx=True, id="GET /journal/import/<id>/ (htmx)"),
    case("get", "/exports/"),
    case("get", "/exports/", htmx=True, id="GET /exports/ (htmx)"),
    case("post", "/exports/", {"format": "csv"}),
    case("post", "/exports/", {"format": "pdf"}, id="POST /exports/ (bad input)"),
    case("get", "/exports/{export}/download/"),
    case("get", "/exports/{expired}/download/", id="GET /exports/<expired>/download/ (410)"),
    case("post", "/exports/{failed}/retry/"),
    case("get", "/accounts/settings/"),
    case("post", "/accounts/settings/", {"theme": "dark", "time_zone": "UTC"}),
    case("get", "/accounts/settings/email/"),
    case("post", "/accounts/settings/email/", {"email": "x", "current_password": "wrong"}),
    case("get", "/accounts/settings/email/confirm/{email_token}/"),
    case("post", "/accounts/settings/email/confirm/{email_token}/"),
    case("get", "/accounts/password_change/"),
    case("get", "/accounts/two_factor/"),
    case("get", "/accounts/two_factor/setup/"),
    case("post", "/accounts/two_factor/disable/", {"current_password": "wrong"}),
    case("post", "/accounts/two_factor/backup_codes/", {"current_password": "wrong"}),
    case("get", "/accounts/delete/"),
    case("get", "/accounts/login/", id="GET /accounts/login/ (signed in)"),
    case("get", "/accounts/signup/", id="GET /accounts/signup/ (signed in)"),
    case("post", "/accounts/logout/"),
]  # fmt: skip


@pytest.fixture
def ids(user):
    export = ExportJobFactory(owner=user)
    with committed():
        from meditation.exports.tasks import build_export

        build_export(str(export.pk))
    return {
        "entry": MeditationSessionFactory(user=user, reflection="quiet").pk,
        "binned": MeditationSessionFactory(user=user, deleted_at=timezone.now()).pk,
        "sitting": MeditationSessionFactory(user=user, ended_at=None, actual_seconds=None).pk,
        "export": export.pk,
        "expired": ExportJobFactory(owner=user, status=JobStatus.EXPIRED).pk,
        "failed": ExportJob.objects.create(owner=user, status=JobStatus.FAILED).pk,
        "import": ImportJobFactory(owner=user, upload=log(row())).pk,
        "unknown": uuid.uuid4(),
        "email_token": email_change.make_token(user, "new.address@example.com"),
        "token": personal_tokens.make(user, "laptop")[0].pk,
    }


@pytest.mark.parametrize(("method", "url", "data", "htmx"), SIGNED_IN)
def test_it_never_stores_a_signed_in_persons_response(signed_in, ids, method, url, data, htmx):
    url = url.format(**ids)
    extra = HX if htmx else {}
    if data.get("upload"):
        data = {"file": SimpleUploadedFile("sessions.csv", log(row()), content_type="text/csv")}
    with committed():
        response = getattr(signed_in, method)(url, data, **extra)
    assert response.status_code < 500
    assert is_private(response), response.get("Cache-Control")


def test_it_marks_the_streamed_download(signed_in, ids):
    response = signed_in.get(f"/exports/{ids['export']}/download/")
    assert response.status_code == 200
    assert response.streaming
    assert directives(response) >= {"private", "no-store"}
    b"".join(response.streaming_content)


def test_it_marks_the_sign_in_that_sets_the_session(client):
    user = User.objects.create_user(email="amina@example.com", password=PASSWORD)
    response = sign_in(client, user.email)
    assert response.status_code == 302
    assert is_private(response)


def test_it_marks_the_admin(staff_client):
    assert is_private(staff_client.get("/admin/"))


PUBLIC = ["/", "/names/", "/names/1/", "/names/?q=rahman", "/about/", "/meditate/", "/jsi18n/",
          "/tr/jsi18n/"]  # fmt: skip


@pytest.mark.parametrize("url", PUBLIC)
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_it_leaves_a_visitors_public_pages_cacheable(client, settings, url, htmx):
    for _ in range(2):  # rendered, then (the catalogue) the stored page
        response = client.get(url, **(HX if htmx else {}))
        assert response.status_code == 200
        assert not directives(response) & {"private", "no-store", "no-cache"}
        assert settings.SESSION_COOKIE_NAME not in response.cookies  # no session: nothing to hide


def test_it_marks_a_visitors_pages_once_their_session_holds_a_sitting(client):
    client.get("/names/")  # stored for visitors: never the answer once they have a session
    data = {"intention": "patience", "length": "10", "interval_bell": "0", "dhikr_target": "33"}
    sitting = client.post("/meditate/", data)
    assert sitting.status_code == 302
    assert is_private(sitting)
    assert is_private(client.get(sitting["Location"]))
    assert is_private(client.get("/names/"))


def test_it_leaves_static_files_to_their_own_caching(signed_in):
    # Whitenoise answers them before the sessions (and this middleware) are reached.
    response = signed_in.get("/static/css/site.css")
    assert response.status_code == 200
    assert not directives(response) & {"private", "no-store"}


# Pages only a visitor uses (tried below with their session) and the site's own endpoints
# (/jsi18n/, the scripts' translations, is the same for everyone: tests/site/
# test_javascript_catalog.py).
NOT_A_PERSONS_PAGE = {
    "/healthz", "/readyz", "/metrics", "/favicon.ico", "/jsi18n/", "/accounts/login/verify/",
    "/accounts/password_reset/", "/accounts/password_reset/done/",
    "/accounts/password_reset/<uidb64>/<token>/", "/accounts/password_reset/complete/",
}  # fmt: skip


def routes(resolver: URLResolver, prefix: str = "/") -> list[str]:
    found = []
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += routes(pattern, route)
        elif isinstance(pattern, URLPattern):
            found.append(route)
    return found


def test_it_tries_every_url_of_the_apps():
    """A new URL must be added to SIGNED_IN (or NOT_A_PERSONS_PAGE), or this test fails."""
    tried = {re.sub(r"\{[a-z_]+\}", "<id>", p.values[1].split("?")[0]) for p in SIGNED_IN}
    for route in routes(get_resolver()):
        if route.startswith(("/admin", "/api/")) or route in NOT_A_PERSONS_PAGE:
            continue
        shape = re.sub(r"<(uuid|str|int):\w+>", "<id>", route).replace("<name_number:number>", "1")
        assert shape in tried, f"{route} is not tried in SIGNED_IN"


def test_it_marks_a_visitors_reset_link_and_two_step_sign_in(client, user):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = client.get(f"/accounts/password_reset/{uid}/{token}/", follow=True)
    assert link.status_code == 200
    assert is_private(link)
    assert is_private(client.get("/accounts/login/verify/"))
