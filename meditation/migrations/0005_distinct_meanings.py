"""Distinct meanings for the names that shared one, on sites set up before the fixture changed.

#20 Al-Qābiḍ and #90 Al-Māniʿ both read "The Withholder"; #12 Al-Bāriʾ, #58 Al-Mubdiʾ and
#95 Al-Badīʿ all read "The Originator". The fixture now gives each a standard, distinct
rendering (#58 keeps "The Originator"). `load_names` never overwrites a row, so existing rows
change here, and only where the meaning is still the old shared one: a curator's edit is kept.
Each change is a version in the name's history (django-simple-history), with its reason, so a
curator sees it and can revert it in the admin.
"""

from django.db import migrations
from django.utils import timezone

# number: (the old, shared meaning; the fixture's meaning now)
MEANINGS = {
    12: ("The Originator", "The Maker"),
    20: ("The Withholder", "The Constrictor"),
    90: ("The Withholder", "The Preventer"),
    95: ("The Originator", "The Incomparable Originator"),
}
REASON = "Distinct meaning: it was shared with another name"


def _rename(apps, forwards):
    names = apps.get_model("meditation", "DivineName")
    history = apps.get_model("meditation", "HistoricalDivineName")
    copied = [f.attname for f in history._meta.concrete_fields if not f.name.startswith("history")]
    now = timezone.now()
    for number, (old, new) in MEANINGS.items():
        was, becomes = (old, new) if forwards else (new, old)
        # Compare and set in one UPDATE: a row a curator has edited is left alone.
        if not names.objects.filter(number=number, meaning=was).update(meaning=becomes):
            continue
        name = names.objects.get(number=number)
        history.objects.create(
            **{field: getattr(name, field) for field in copied},
            history_date=now,
            history_type="~",
            history_change_reason=REASON,
            history_user=None,
        )


def forwards(apps, schema_editor):
    _rename(apps, forwards=True)


def backwards(apps, schema_editor):
    _rename(apps, forwards=False)


class Migration(migrations.Migration):
    dependencies = [
        ("meditation", "0004_historicaldivinename"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
