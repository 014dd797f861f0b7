"""Store every existing address in the one spelling sign-in now uses (accounts/emails.py).

An address whose normalised spelling another account already holds is left as it is (staff
can merge or rename it); it still signs in, since look-ups ignore case.
"""

import unicodedata

from django.db import migrations


def _normalize(value):
    # A copy of accounts.emails.normalize_email as it was when this migration was written.
    folded = unicodedata.normalize("NFKC", value)
    return unicodedata.normalize("NFKC", folded.lower()).strip()


def normalize_emails(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for user in User.objects.only("pk", "email").iterator():
        normal = _normalize(user.email)
        if normal == user.email:
            continue
        if User.objects.filter(email__iexact=normal).exclude(pk=user.pk).exists():
            continue
        User.objects.filter(pk=user.pk).update(email=normal)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_failedcheck"),
    ]

    operations = [
        migrations.RunPython(normalize_emails, migrations.RunPython.noop, elidable=True),
    ]
