import pytest
from kombu.exceptions import OperationalError

from accounts.models import AuditEvent
from meditation.exports import tasks
from meditation.models import ExportJob, JobStatus
from tests.factories import ExportJobFactory, MeditationSessionFactory
from tests.meditation.helpers import committed

from .helpers import export_files

pytestmark = pytest.mark.django_db
LIST = "/admin/meditation/exportjob/"


def act(client, action, *jobs, follow=False):
    with committed():
        return client.post(
            LIST, {"action": action, "_selected_action": [j.pk for j in jobs]}, follow=follow
        )


def shown(response):
    return [str(m) for m in response.context["messages"]]


class TestStaffExports:
    def test_staff_start_the_catalogue_and_dataset_exports(self, staff_client):
        assert staff_client.get(LIST).status_code == 200
        for kind in ("catalogue", "dataset"):
            with committed():
                response = staff_client.post(f"{LIST}start/{kind}/")
            assert response.status_code == 302
        jobs = ExportJob.objects.order_by("created_at")
        assert [(j.kind, j.status) for j in jobs] == [("catalogue", "done"), ("dataset", "done")]
        assert all(j.owner == staff_client.staff_user for j in jobs)
        assert staff_client.get(f"/exports/{jobs[0].pk}/download/").status_code == 200

    def test_it_counts_staff_exports_in_names_and_days_not_sessions(self, staff_client):
        MeditationSessionFactory(user=staff_client.staff_user)
        for kind in ("catalogue", "dataset"):
            with committed():
                staff_client.post(f"{LIST}start/{kind}/")
        page = staff_client.get("/exports/").content.decode()
        assert "99 names ·" in page
        assert "1 day ·" in page
        assert "session ·" not in page
        assert "sessions ·" not in page

    def test_it_refuses_an_unknown_kind_and_get(self, staff_client):
        assert staff_client.get(f"{LIST}start/dataset/").status_code == 405
        staff_client.post(f"{LIST}start/journal/")
        assert not ExportJob.objects.exists()

    def test_it_holds_staff_to_the_same_limit(self, staff_client):
        ExportJobFactory.create_batch(3, owner=staff_client.staff_user)
        with committed():
            response = staff_client.post(f"{LIST}start/catalogue/", follow=True)
        assert ExportJob.objects.count() == 3
        assert any("already have 3 exports in progress" in m for m in shown(response))

    def test_non_staff_cannot_start_staff_exports(self, signed_in):
        signed_in.post(f"{LIST}start/dataset/")
        assert not ExportJob.objects.exists()


class TestActions:
    def test_it_retries_and_expires_from_the_list(self, staff_client, user, settings):
        failed = ExportJobFactory(owner=user, status=JobStatus.FAILED)
        done = ExportJobFactory(owner=user)
        tasks.build_export(str(done.pk))
        act(staff_client, "retry_jobs", failed)
        act(staff_client, "expire_jobs", done)
        statuses = dict(ExportJob.objects.values_list("pk", "status"))
        assert statuses == {failed.pk: "done", done.pk: "expired"}
        assert export_files(settings) == [f"{failed.pk}.csv"]
        assert AuditEvent.objects.filter(action="export_retried", target_id=str(failed.pk))
        assert AuditEvent.objects.filter(action="admin_change", target_id=str(done.pk))

    def test_it_expires_no_unfinished_job(self, staff_client, user):
        running = ExportJobFactory(owner=user, status=JobStatus.RUNNING)
        response = act(staff_client, "expire_jobs", running, follow=True)
        assert ExportJob.objects.get().status == JobStatus.RUNNING
        assert "0 job(s) expired." in shown(response)

    def test_it_retries_no_more_than_the_owners_limit(self, staff_client, user, other_user):
        ExportJobFactory.create_batch(3, owner=user)
        held = ExportJobFactory(owner=user, status=JobStatus.FAILED)
        free = ExportJobFactory(owner=other_user, status=JobStatus.FAILED)
        response = act(staff_client, "retry_jobs", held, free, follow=True)
        statuses = dict(ExportJob.objects.values_list("pk", "status"))
        assert (statuses[held.pk], statuses[free.pk]) == (JobStatus.FAILED, JobStatus.DONE)
        assert shown(response) == [
            "1 job(s) queued again.",
            "1 job(s) not retried: their owner already has 3 exports in progress.",
        ]

    @pytest.mark.django_db(transaction=True)
    def test_it_stops_at_the_first_job_the_broker_refuses_and_says_so_once(
        self, staff_client, user, monkeypatch
    ):
        calls = []

        def unreachable(job_id):
            calls.append(job_id)
            raise OperationalError("Connection refused")

        monkeypatch.setattr(tasks.build_export, "delay", unreachable)
        first, second = ExportJobFactory.create_batch(2, owner=user, status=JobStatus.FAILED)
        response = staff_client.post(
            LIST, {"action": "retry_jobs", "_selected_action": [first.pk, second.pk]}, follow=True
        )
        assert len(calls) == 1
        assert set(ExportJob.objects.values_list("status", flat=True)) == {JobStatus.FAILED}
        assert shown(response) == [ExportJob.unavailable_error, "0 job(s) queued again."]


def test_it_shows_an_export_read_only_owner_first(staff_client, user):
    job = ExportJobFactory(owner=user, status=JobStatus.FAILED, error="It broke.")
    page = staff_client.get(f"{LIST}{job.pk}/change/").content.decode()
    assert "It broke." in page
    assert 'name="_save"' not in page
    assert page.index("Owner") < page.index("Status") < page.index("Expires at")
