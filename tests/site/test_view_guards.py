"""The guards of every view that changes data, tried through the real URLs.

Each data-changing view is tested for anonymous access, the wrong method, another user's
object and bad input. Most of those tests live beside their feature; GUARDS holds the ones
that were missing, and MATRIX says for every URL of the two apps where each guard is tested,
so that a new URL, or a renamed test, fails here until its guards are accounted for.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import get_resolver, resolve
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import email_change
from accounts.models import AuditEvent, User
from meditation.models import ExportJob, ImportJob, MeditationSession
from tests.accounts.helpers import PASSWORD
from tests.conftest import verify_second_factor
from tests.factories import MeditationSessionFactory

pytestmark = pytest.mark.django_db
TESTS = Path(__file__).resolve().parent.parent

ANONYMOUS, METHOD, NOT_YOURS, BAD_INPUT = "anonymous", "wrong method", "not yours", "bad input"
HERE = "here"
LINK_GONE = "This link no longer works"


@dataclass(frozen=True)
class Guard:
    guard: str
    who: str  # "visitor", "user", or "user with 2fa" (signed in with a verified second factor)
    method: str
    url: str  # {placeholders} are filled from `ids`
    status: int
    location: str | None = None  # where a redirect goes; {url} is the URL asked for
    data: dict = field(default_factory=dict)
    text: str = ""  # a phrase the page must say


def row(*args, **kwargs):
    case = Guard(*args, **kwargs)
    return pytest.param(case, id=f"{case.guard}: {case.method.upper()} {case.url}")


SIGN_IN = "/accounts/login/?next={url}"

GUARDS = [
    # Anonymous: sent to sign in, or (where visitors may act) a 404 for a person's sitting.
    row(ANONYMOUS, "visitor", "post", "/exports/", 302, SIGN_IN, {"format": "csv"}),
    row(ANONYMOUS, "visitor", "post", "/exports/{export}/retry/", 302, SIGN_IN),
    row(ANONYMOUS, "visitor", "post", "/meditate/{sitting}/dhikr/", 404),
    row(ANONYMOUS, "visitor", "post", "/meditate/{sitting}/finish/", 404, data={"minutes": "1"}),
    row(ANONYMOUS, "visitor", "post", "/accounts/settings/", 302, SIGN_IN, {"theme": "dark"}),
    row(
        ANONYMOUS, "visitor", "post", "/accounts/settings/email/", 302, SIGN_IN,
        {"email": "new@example.com", "current_password": PASSWORD},
    ),
    row(
        ANONYMOUS, "visitor", "post", "/accounts/password_change/", 302, SIGN_IN,
        {"old_password": PASSWORD, "new_password1": "x" * 20, "new_password2": "x" * 20},
    ),
    row(
        ANONYMOUS, "visitor", "post", "/accounts/two_factor/setup/", 302, SIGN_IN,
        {"token": "123456", "current_password": PASSWORD},
    ),
    row(
        ANONYMOUS, "visitor", "post", "/accounts/two_factor/disable/", 302, SIGN_IN,
        {"current_password": PASSWORD},
    ),
    row(
        ANONYMOUS, "visitor", "post", "/accounts/two_factor/backup_codes/", 302, SIGN_IN,
        {"current_password": PASSWORD},
    ),
    row(ANONYMOUS, "visitor", "post", "/accounts/settings/email/confirm/{unknown}/", 302, SIGN_IN),
    row(ANONYMOUS, "visitor", "post", "/accounts/logout/", 302, "/"),
    row(ANONYMOUS, "visitor", "post", "/accounts/login/verify/", 302, "/accounts/login/",
        {"token": "123456"}),
    # The wrong method: GET (or POST on a read-only page) where it does not belong, PUT on forms.
    row(METHOD, "user", "get", "/exports/{export}/retry/", 405),
    row(METHOD, "user", "put", "/exports/", 405),
    row(METHOD, "visitor", "put", "/accounts/login/", 405),
    row(METHOD, "visitor", "put", "/accounts/login/verify/", 405),
    row(METHOD, "user", "put", "/accounts/settings/", 405),
    row(METHOD, "user", "put", "/accounts/settings/email/", 405),
    row(METHOD, "user", "put", "/accounts/settings/email/confirm/{email_token}/", 405),
    row(METHOD, "user", "put", "/accounts/password_change/", 405),
    row(METHOD, "user", "put", "/accounts/two_factor/setup/", 405),
    row(METHOD, "visitor", "put", "/accounts/password_reset/", 405),
    # Django first trades the token in the URL for one in the session (a redirect that changes
    # nothing); the method is refused on the page it redirects to.
    row(METHOD, "visitor", "put", "/accounts/password_reset/{uid}/{token}/", 302),
    row(METHOD, "user", "post", "/meditate/{sitting}/", 405),
    row(METHOD, "user", "post", "/journal/", 405),
    row(METHOD, "user", "post", "/journal/trash/", 405),
    row(METHOD, "user", "post", "/accounts/two_factor/", 405),
    row(METHOD, "visitor", "post", "/accounts/password_reset/done/", 405),
    row(METHOD, "visitor", "post", "/accounts/password_reset/complete/", 405),
    # Another person's object: a reset link whose token belongs to someone else.
    row(
        NOT_YOURS, "visitor", "post", "/accounts/password_reset/{uid}/{their_token}/", 200,
        data={"new_password1": "x" * 20, "new_password2": "x" * 20}, text=LINK_GONE,
    ),
    # Another person's e-mail change link, followed signed in as oneself.
    row(
        NOT_YOURS, "user", "post", "/accounts/settings/email/confirm/{their_email_token}/", 200,
        text=LINK_GONE,
    ),
    # Bad input: ids that name nothing of the right kind, a malformed link, no password (a
    # wrong one is counted and audited: tests/accounts/test_throttle.py).
    row(BAD_INPUT, "user", "post", "/meditate/{unknown}/dhikr/", 404),
    row(BAD_INPUT, "user", "post", "/meditate/{sitting}/dhikr/", 400, data={"total": "-1"}),
    row(BAD_INPUT, "visitor", "post", "/meditate/{unknown}/dhikr/", 404, data={"total": "3"}),
    row(BAD_INPUT, "user", "post", "/journal/{binned}/delete/", 404),
    row(BAD_INPUT, "user", "post", "/journal/{unknown}/delete/", 404),
    row(BAD_INPUT, "user", "post", "/journal/{entry}/restore/", 404),
    row(BAD_INPUT, "user", "post", "/exports/{unknown}/retry/", 404),
    row(
        BAD_INPUT, "visitor", "post", "/accounts/password_reset/not-base64/1-2/", 200,
        data={"new_password1": "x" * 20, "new_password2": "x" * 20}, text=LINK_GONE,
    ),
    row(
        BAD_INPUT, "user", "post", "/accounts/settings/email/confirm/not-a-token/", 200,
        text=LINK_GONE,
    ),
    row(
        BAD_INPUT, "user with 2fa", "post", "/accounts/two_factor/backup_codes/", 302,
        "/accounts/two_factor/", {"current_password": ""},
    ),
]  # fmt: skip


@pytest.fixture
def ids(user, other_user):
    """A person's (and another person's) objects, by the names the URLs above use."""
    return {
        "entry": MeditationSessionFactory(user=user).pk,
        "binned": MeditationSessionFactory(user=user, deleted_at=timezone.now()).pk,
        "sitting": MeditationSessionFactory(user=user, ended_at=None, actual_seconds=None).pk,
        "export": ExportJob.objects.create(owner=user, status="failed").pk,
        "unknown": uuid.uuid4(),
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
        "their_token": default_token_generator.make_token(other_user),
        "email_token": email_change.make_token(user, "new@example.com"),
        "their_email_token": email_change.make_token(other_user, "theirs@example.com"),
    }


def snapshot():
    """Every row a refused request could have changed."""
    models = [User, MeditationSession, ExportJob, ImportJob, TOTPDevice, StaticDevice, StaticToken]
    rows = {model._meta.label: list(model.objects.order_by("pk").values()) for model in models}
    return rows | {"audit events": AuditEvent.objects.count()}


@pytest.mark.parametrize("case", GUARDS)
def test_it_refuses_and_changes_nothing(client, user, ids, case):
    if case.who == "user":
        client.force_login(user)
    elif case.who == "user with 2fa":
        verify_second_factor(client, user)
    url = case.url.format(**ids)
    before = snapshot()
    if case.method == "post":
        response = client.post(url, case.data)
    else:
        response = getattr(client, case.method)(url)
    assert response.status_code == case.status
    if case.location is not None:
        assert response["Location"] == case.location.format(url=url)
    assert case.text in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("new_password1", "new_password2"),
    [("x" * 20, "y" * 20), ("x" * 10_000, "x" * 10_000)],
    ids=["mismatched", "10,000 characters"],
)
def test_it_answers_a_bad_new_password_on_a_reset_link_with_errors(
    client, user, ids, new_password1, new_password2
):
    # The link's first visit keeps the token in the session and moves to set-password/.
    form_page = client.get(f"/accounts/password_reset/{ids['uid']}/{ids['token']}/", follow=True)
    before = snapshot()
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password1, "new_password2": new_password2},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    assert snapshot() == before


# For every URL of the apps, where each guard (in GUARD_ORDER) is tested. HERE: a row of
# GUARDS above; "file::test": beside the feature; "n/a: ...": why the guard does not apply.
GUARD_ORDER = (ANONYMOUS, METHOD, NOT_YOURS, BAD_INPUT)
J, S = "meditation/journal/test_views.py::", "meditation/sitting/test_views.py::"
E, IM = "meditation/exports/test_views.py::", "meditation/imports/test_views.py::"
A = "accounts/"
J_VISITORS, J_METHODS = J + "test_it_sends_visitors_to_sign_in", J + "test_it_refuses_wrong_methods"
J_THEIRS = J + "test_it_answers_404_for_another_users_entry"
S_METHODS = S + "test_it_refuses_wrong_methods"
S_THEIRS = S + "test_it_hides_another_users_session_on_every_url_and_method"
TWO_FACTOR_GET = A + "test_two_factor.py::test_it_refuses_get_on_changes"
NO_OBJECT, FOR_VISITORS = "n/a: no object in the URL", "n/a: a page for visitors"
L = "meditation/learn/test_views.py::"
T = "accounts/test_personal_tokens.py::"
MATRIX = {
    "meditation:meditate": (
        S + "test_it_lets_a_visitor_meditate_without_keeping_anything", S_METHODS, NO_OBJECT,
        S + "test_it_answers_bad_input_with_field_errors"),
    "meditation:sitting_dhikr": (HERE, S_METHODS, S_THEIRS, HERE),
    "meditation:sitting_finish": (
        HERE, S_METHODS, S_THEIRS,
        S + "test_it_answers_a_bad_finish_with_errors_and_keeps_the_session"),
    "meditation:learn_answer": (
        L + "test_a_visitor_answers_a_round_and_nothing_is_kept", L + "test_wrong_methods",
        L + "test_another_persons_cards_are_never_asked_or_answered",
        L + "test_an_answer_that_cannot_be_read_is_a_400_with_a_question"),
    "meditation:learn_settings": (
        L + "test_the_learn_page_needs_no_account_but_the_settings_do", L + "test_wrong_methods",
        NO_OBJECT, L + "test_the_settings_refuse_bad_values"),
    "meditation:learn_recite": (
        "n/a: for everyone, and nothing is kept", L + "test_wrong_methods", NO_OBJECT,
        L + "test_reciting_from_a_place_that_has_not_five_after_it_is_refused"),
    "meditation:entry_edit": (
        J_VISITORS, J_METHODS, J_THEIRS, J + "test_it_answers_bad_edits_with_errors"),
    "meditation:entry_delete": (J_VISITORS, J_METHODS, J_THEIRS, HERE),
    "meditation:entry_restore": (J_VISITORS, J_METHODS, J_THEIRS, HERE),
    "meditation:import": (
        IM + "test_it_sends_anonymous_visitors_to_sign_in",
        IM + "test_it_answers_a_wrong_method_with_405", NO_OBJECT,
        IM + "test_it_refuses_the_file_and_creates_no_job"),
    "meditation:exports": (HERE, HERE, NO_OBJECT, E + "test_it_answers_bad_input_with_errors"),
    "meditation:export_retry": (HERE, HERE, E + "test_it_hides_another_users_export", HERE),
    "accounts:signup": (
        FOR_VISITORS, A + "test_signup.py::test_it_refuses_other_methods", NO_OBJECT,
        A + "test_signup.py::test_it_answers_bad_input_with_field_errors"),
    "accounts:login": (
        FOR_VISITORS, HERE, NO_OBJECT,
        A + "test_login.py::test_it_answers_bad_sign_in_input_with_field_errors"),
    "accounts:login_verify": (
        HERE, HERE, NO_OBJECT, A + "test_login.py::test_it_answers_bad_codes_with_a_field_error"),
    "accounts:logout": (
        HERE,
        A + "test_login.py::test_it_signs_out_on_post_only_and_the_old_cookie_no_longer_works",
        NO_OBJECT, "n/a: takes no input"),
    "accounts:password_change": (
        HERE, HERE, NO_OBJECT,
        A + "test_passwords.py::test_it_answers_bad_input_with_field_errors"),
    "accounts:password_reset": (
        FOR_VISITORS, HERE, NO_OBJECT,
        A + "test_passwords.py::test_it_answers_bad_input_with_field_errors"),
    "accounts:password_reset_confirm": (FOR_VISITORS, HERE, HERE, HERE),
    "accounts:settings": (
        HERE, HERE, NO_OBJECT,
        A + "test_settings_page.py::test_it_answers_bad_input_with_field_errors"),
    "accounts:email_change": (
        HERE, HERE, NO_OBJECT, A + "test_email_change.py::test_it_refuses_bad_input"),
    "accounts:email_change_confirm": (HERE, HERE, HERE, HERE),
    "accounts:two_factor_setup": (
        HERE, HERE, NO_OBJECT, A + "test_two_factor.py::test_it_refuses_a_wrong_code_or_password"),
    "accounts:two_factor_disable": (
        HERE, TWO_FACTOR_GET, NO_OBJECT,
        A + "test_two_factor.py::test_it_stays_on_without_a_right_code"),
    "accounts:two_factor_backup_codes": (HERE, TWO_FACTOR_GET, NO_OBJECT, HERE),
    "accounts:tokens": (
        T + "test_visitors_and_wrong_methods", T + "test_visitors_and_wrong_methods", NO_OBJECT,
        T + "test_a_token_needs_a_plain_name"),
    "accounts:token_revoke": (
        T + "test_visitors_and_wrong_methods", T + "test_visitors_and_wrong_methods",
        T + "test_another_persons_token_cannot_be_revoked", "n/a: takes no input"),
    "accounts:delete": (
        A + "test_delete.py::test_it_needs_sign_in",
        A + "test_delete.py::test_it_refuses_other_methods", NO_OBJECT,
        A + "test_delete.py::test_it_refuses_without_the_password_and_the_confirmation"),
}  # fmt: skip
C = "meditation/catalogue/test_views.py::test_it_refuses_writes_on_read_only_pages"
# Pages that change nothing: where a POST to each is shown to be refused.
READ_ONLY = {
    "meditation:home": C, "meditation:name_list": C, "meditation:name_detail": C,
    "meditation:about": C, "meditation:learn": L + "test_wrong_methods",
    "meditation:api_docs": "meditation/api/test_names.py::test_the_page_for_people_refuses_writes",
    "meditation:sitting": HERE, "meditation:journal": HERE,
    "meditation:trash": HERE, "meditation:entry_detail": J_METHODS,
    "meditation:stats": "meditation/journal/test_stats.py::test_it_refuses_post",
    "meditation:import_report": IM + "test_it_answers_a_wrong_method_with_405",
    "meditation:export_download": E + "test_it_needs_sign_in_and_get",
    "accounts:two_factor": HERE, "accounts:password_reset_done": HERE,
    "accounts:password_reset_complete": HERE,
}  # fmt: skip


def app_url_names() -> set[str]:
    resolver = get_resolver()
    return {
        f"{namespace}:{name}"
        for namespace in ("meditation", "accounts")
        for name in resolver.namespace_dict[namespace][1].reverse_dict
        if isinstance(name, str)
    }


def test_it_accounts_for_every_url_of_the_apps():
    assert not set(MATRIX) & set(READ_ONLY)
    assert set(MATRIX) | set(READ_ONLY) == app_url_names()


class AnyId(dict):
    def __missing__(self, key: str) -> str:
        return str(uuid.UUID(int=0))


def guarded_here() -> set[tuple[str, str]]:
    """(view name, guard) of every row of GUARDS."""
    return {
        (resolve(case.url.format_map(AnyId())).view_name, case.guard)
        for case in (param.values[0] for param in GUARDS)
    }


def test_it_backs_every_cell_with_a_test_that_exists():
    assert all(len(cells) == len(GUARD_ORDER) for cells in MATRIX.values())
    cells = {
        (name, guard): where
        for name, row in MATRIX.items()
        for guard, where in zip(GUARD_ORDER, row, strict=True)
    } | {(name, METHOD): where for name, where in READ_ONLY.items()}
    here = guarded_here()
    for (name, guard), where in cells.items():
        if where == HERE:
            assert (name, guard) in here, (name, guard)
        elif not where.startswith("n/a: "):
            path, test = where.split("::")
            assert re.search(rf"def {test}\(", (TESTS / path).read_text()), where
    # And every row of GUARDS is counted in the matrix.
    assert {key for key in here if cells.get(key) != HERE} == set()
