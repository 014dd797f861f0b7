import json

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from accounts.models import AuditEvent, AuthSession, User
from meditation import private_files
from meditation.models import (
    DivineName,
    ExportJob,
    ImportJob,
    LearningCard,
    LearningPreferences,
    LearningReview,
    MeditationSession,
    Rating,
)
from tests.accounts.helpers import PASSWORD, sign_in
from tests.conftest import verify_second_factor
from tests.factories import MeditationSessionFactory
from tests.meditation.helpers import committed
from tests.private_storage import local_path

pytestmark = pytest.mark.django_db
URL = "/accounts/delete/"


def test_it_explains_what_will_be_deleted_and_offers_an_export_first(client, user):
    client.force_login(user)
    html = client.get(URL).content.decode()
    assert "your journal" in html
    assert 'href="/exports/"' in html


def waiting_upload(owner, content=b"timestamp,user\n"):
    """An import job whose upload is still on disk, waiting for the worker."""
    job = ImportJob.objects.create(owner=owner, original_name="log.csv", size=len(content))
    job.file = f"imports/{job.pk}.csv"
    job.save(update_fields=["file"])
    with private_files.atomic_write(job.file) as out:
        out.write(content)
    return job


def test_it_deletes_the_account_and_leaves_none_of_its_rows(client, user, other_user):
    other_browser = Client()
    sign_in(other_browser, user.email)
    sign_in(Client(), user.email, "a wrong password")  # leaves an axes attempt row
    verify_second_factor(Client(), user)
    sign_in(client, user.email)
    client.post("/accounts/login/verify/", {"token": "000000"})  # a failed second step
    client.force_login(user)
    their_browser = Client()
    sign_in(their_browser, other_user.email)
    MeditationSessionFactory(user=user)
    MeditationSessionFactory(user=user, deleted_at=timezone.now())
    theirs = MeditationSessionFactory(user=other_user)
    # An export built through the site (tasks run eagerly) and an upload not yet imported.
    with committed():
        assert client.post("/exports/", {"format": "zip"}).status_code == 302
        assert their_browser.post("/exports/", {"format": "csv"}).status_code == 302
    export = ExportJob.objects.get(owner=user)
    their_export = ExportJob.objects.get(owner=other_user)
    upload, their_upload = waiting_upload(user), waiting_upload(other_user)
    files = [local_path(job.file) for job in (export, upload)]
    assert all(path.is_file() for path in files)
    user_pk = user.pk
    sessions_before = Session.objects.count()

    response = client.post(URL, {"current_password": PASSWORD, "confirm": "on"})

    assert response["Location"] == "/"
    assert not User.objects.filter(pk=user_pk).exists()
    assert not AuthSession.objects.filter(user_id=user_pk).exists()
    assert not AccessAttempt.objects.filter(username__iexact=user.email).exists()
    from django_otp.plugins.otp_totp.models import TOTPDevice

    assert not TOTPDevice.objects.filter(user_id=user_pk).exists()
    assert not MeditationSession.objects.filter(user_id=user_pk).exists()
    assert not ExportJob.objects.filter(owner_id=user_pk).exists()
    assert not ImportJob.objects.filter(owner_id=user_pk).exists()
    assert not any(path.exists() for path in files)
    # Signed out here, and in every other browser the person used.
    assert "_auth_user_id" not in client.session
    assert client.get("/accounts/settings/").status_code == 302
    assert other_browser.get("/accounts/settings/").status_code == 302
    assert Session.objects.count() < sessions_before
    # The other account is untouched.
    assert AuthSession.objects.filter(user=other_user).exists()
    assert MeditationSession.objects.filter(pk=theirs.pk).exists()
    assert local_path(their_export.file).is_file()
    assert local_path(their_upload.file).is_file()
    assert their_browser.get("/accounts/settings/").status_code == 200
    # The audit trail keeps the deletion, anonymised: no actor, no address, only the old id.
    deleted = AuditEvent.objects.get(action="account_deleted")
    assert deleted.actor is None
    assert (deleted.target_type, deleted.target_id) == ("accounts.user", str(user_pk))
    assert AuditEvent.objects.filter(action="login", actor=None).exists()  # kept, anonymised
    assert not AuditEvent.objects.filter(actor_id=user_pk).exists()
    trail = json.dumps(list(AuditEvent.objects.values()), default=str)
    assert user.email not in trail


def learning_of(user):
    """A card with a review, and the person's learning preferences."""
    now = timezone.now()
    card = LearningCard.objects.create(
        user=user, name=DivineName.objects.get(number=1), direction="arabic", due=now,
        introduced_on=now.date(),
    )  # fmt: skip
    LearningReview.objects.create(
        card=card, user=user, rating=Rating.GOOD, reviewed_at=now, local_date=now.date()
    )
    LearningPreferences.objects.create(user=user, new_per_day=3)
    return card


def test_it_deletes_the_persons_learning_and_no_one_elses(client, user, other_user):
    learning_of(user)
    theirs = learning_of(other_user)
    client.force_login(user)
    user_pk = user.pk

    response = client.post(URL, {"current_password": PASSWORD, "confirm": "on"})

    assert response["Location"] == "/"
    assert not LearningCard.objects.filter(user_id=user_pk).exists()
    assert not LearningReview.objects.filter(user_id=user_pk).exists()
    assert not LearningPreferences.objects.filter(user_id=user_pk).exists()
    assert list(LearningCard.objects.all()) == [theirs]
    assert LearningReview.objects.get().card == theirs
    assert LearningPreferences.objects.get().user == other_user


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"current_password": "wrong", "confirm": "on"}, "current_password"),
        ({"current_password": "", "confirm": "on"}, "current_password"),
        ({"current_password": PASSWORD}, "confirm"),
        ({"current_password": "x" * 10_000, "confirm": "on"}, "current_password"),
    ],
)
def test_it_refuses_without_the_password_and_the_confirmation(client, user, data, field):
    client.force_login(user)
    response = client.post(URL, data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert User.objects.filter(pk=user.pk).exists()


def test_it_needs_sign_in(client, user):
    response = client.post(URL, {"current_password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={URL}"
    assert User.objects.filter(pk=user.pk).exists()


def test_it_refuses_other_methods(client, user):
    client.force_login(user)
    assert client.put(URL).status_code == 405
