"""The data migration that gives the names which shared a meaning their distinct ones, on a
site set up before the fixture changed, keeping what curators edited."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from meditation.models import DivineName
from tests.meditation.catalogue.test_admin import name_form

pytestmark = pytest.mark.django_db
MIGRATION = ("meditation", "0005_distinct_meanings")
migration = importlib.import_module("meditation.migrations.0005_distinct_meanings")
ADMIN = "/admin/meditation/divinename/"
BEFORE = {12: "The Originator", 20: "The Withholder", 58: "The Originator",
          90: "The Withholder", 95: "The Originator"}  # fmt: skip


def run(code):
    """The migration's code, on the models as the migration sees them."""
    code(MigrationLoader(connection).project_state(MIGRATION).apps, None)


def meaning(client, number):
    return client.get(f"/names/{number}/").context["name"].meaning


@pytest.fixture
def old_site():
    """The names as a site set up from the old fixture has them."""
    for number, old in BEFORE.items():
        DivineName.objects.filter(number=number).update(meaning=old)


def test_it_is_applied_and_a_new_site_has_the_distinct_meanings(client):
    assert MIGRATION in MigrationRecorder(connection).applied_migrations()
    assert meaning(client, 20) == "The Constrictor"
    meanings = list(DivineName.objects.values_list("meaning", flat=True))
    assert len({m.casefold() for m in meanings}) == 99


def test_it_gives_the_shared_meanings_their_distinct_renderings(client, old_site):
    run(migration.forwards)
    found = {n: meaning(client, n) for n in BEFORE}
    assert found == {12: "The Maker", 20: "The Constrictor", 58: "The Originator",
                     90: "The Preventer", 95: "The Incomparable Originator"}  # fmt: skip
    assert "The Constrictor" in client.get("/names/", {"q": "constrictor"}).content.decode()


def test_it_keeps_a_curators_edit(client, staff_client, old_site):
    name = DivineName.objects.get(number=90)
    response = staff_client.post(
        f"{ADMIN}{name.pk}/change/", name_form(name, meaning="The Preventer of Harm")
    )
    assert response.status_code == 302
    versions = name.history.count()
    run(migration.forwards)
    assert meaning(client, 90) == "The Preventer of Harm"
    assert name.history.count() == versions
    assert meaning(client, 20) == "The Constrictor"


def test_it_records_each_change_in_the_names_history(staff_client, old_site):
    name = DivineName.objects.get(number=20)
    versions = name.history.count()
    run(migration.forwards)
    assert name.history.count() == versions + 1
    latest = name.history.latest()
    assert (latest.meaning, latest.history_type) == ("The Constrictor", "~")
    assert latest.history_change_reason == migration.REASON
    assert (latest.description, latest.arabic) == (name.description, name.arabic)
    page = staff_client.get(f"{ADMIN}{name.pk}/history/").content.decode()
    assert migration.REASON in page


def test_it_changes_nothing_the_second_time(old_site):
    run(migration.forwards)
    versions = {n.number: n.history.count() for n in DivineName.objects.all()}
    run(migration.forwards)
    assert {n.number: n.history.count() for n in DivineName.objects.all()} == versions


def test_it_can_be_reversed_where_the_new_meaning_is_unchanged(client, old_site):
    run(migration.forwards)
    DivineName.objects.filter(number=95).update(meaning="Curated")
    run(migration.backwards)
    assert meaning(client, 20) == "The Withholder"
    assert meaning(client, 12) == "The Originator"
    assert meaning(client, 95) == "Curated"
