"""The data step that gives a site set up before the Arabic dhikr existed the fixture's, for
each name whose Arabic is still the fixture's (a name a curator rewrote is left to them)."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from meditation.models import DivineName

pytestmark = pytest.mark.django_db
MIGRATION = ("meditation", "0009_dhikr_arabic")
migration = importlib.import_module("meditation.migrations.0009_dhikr_arabic")


def run():
    migration.fill_from_fixture(MigrationLoader(connection).project_state(MIGRATION).apps, None)


def test_a_new_site_has_the_arabic_dhikr_of_all_99():
    assert not DivineName.objects.filter(dhikr_arabic="").exists()


def test_it_fills_an_old_sites_names_and_moves_the_catalogues_state(client):
    DivineName.objects.update(dhikr_arabic="")  # as a site made before the field has them
    state = DivineName.objects.state()
    DivineName.objects.filter(number=2).update(arabic="الرحيم")  # a curator rewrote it
    DivineName.objects.filter(number=3).update(dhikr_arabic="يا مالك")  # and wrote this one
    run()
    found = dict(DivineName.objects.values_list("number", "dhikr_arabic"))
    assert found[1] == "يَا رَحْمَٰنُ"
    assert found[2] == ""
    assert found[3] == "يا مالك"
    assert sum(1 for value in found.values() if value) == 98
    assert DivineName.objects.state() != state  # cached pages follow
    assert "يَا رَحْمَٰنُ" in client.get("/names/1/").content.decode()
