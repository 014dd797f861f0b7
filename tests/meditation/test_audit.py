"""Meditation's audit actions: registered by the app, stored under their released values."""

import pytest

from accounts import audit
from meditation.audit import Action

pytestmark = pytest.mark.django_db


def test_it_keeps_the_stored_values():
    # Events already in the trail hold these strings: renaming one would orphan them.
    assert sorted(Action.values) == [
        "entry_created", "entry_deleted", "entry_edited", "entry_purged", "entry_restored",
        "export_downloaded", "export_requested", "export_retried", "import_requested",
    ]  # fmt: skip


def test_it_registers_every_action_with_its_label():
    registered = dict(audit.actions())
    assert {value: registered.get(value) for value in Action.values} == dict(Action.choices)
