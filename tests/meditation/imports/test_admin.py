import pytest

from meditation.models import JobStatus
from tests.factories import ImportJobFactory

pytestmark = pytest.mark.django_db
LIST = "/admin/meditation/importjob/"


def test_it_shows_import_jobs_read_only_without_the_report(staff_client, user):
    job = ImportJobFactory(
        owner=user,
        status=JobStatus.DONE,
        imported=2,
        report=[{"row": 3, "outcome": "rejected", "reason": "a private reason"}],
    )
    assert str(job.pk) in staff_client.get(LIST).content.decode()
    page = staff_client.get(f"{LIST}{job.pk}/change/").content.decode()
    assert "sessions.csv" in page
    assert "a private reason" not in page
    assert 'name="_save"' not in page
    # The person and the file first, then the job's progress, then its times.
    assert page.index("Original name") < page.index("Status") < page.index("Finished at")
    assert staff_client.post(f"{LIST}{job.pk}/delete/").status_code == 403
