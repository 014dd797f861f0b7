"""The journal's blind index (and the indexes of the list's filters): existing entries are
indexed here, so that a database upgraded to it searches as before (`rebuild_search_index`
does the same by hand)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from meditation import search_index


def index_existing(apps, schema_editor):
    entries = apps.get_model("meditation", "MeditationSession")
    tokens = apps.get_model("meditation", "JournalToken")
    search_index.rebuild(entries, tokens)


class Migration(migrations.Migration):
    dependencies = [
        ("meditation", "0007_catalogue_version"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="JournalToken",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token", models.BigIntegerField()),
            ],
        ),
        migrations.AddIndex(
            model_name="meditationsession",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", True)),
                fields=["user", "-started_at"],
                name="meditation_user_active_newest",
            ),
        ),
        migrations.AddIndex(
            model_name="meditationsession",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", True)),
                fields=["user", "mood", "-started_at"],
                name="meditation_user_mood_newest",
            ),
        ),
        migrations.AddIndex(
            model_name="meditationsession",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", True)),
                fields=["user", "name", "-started_at"],
                name="meditation_user_name_newest",
            ),
        ),
        migrations.AddIndex(
            model_name="meditationsession",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", False)),
                fields=["user", "-deleted_at"],
                name="meditation_user_trash",
            ),
        ),
        migrations.AddIndex(
            model_name="meditationsession",
            index=models.Index(
                fields=["user", "updated_at", "deleted_at"], name="meditation_user_changes"
            ),
        ),
        migrations.AddField(
            model_name="journaltoken",
            name="entry",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="meditation.meditationsession",
            ),
        ),
        migrations.AddField(
            model_name="journaltoken",
            name="user",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddIndex(
            model_name="journaltoken",
            index=models.Index(fields=["user", "token", "entry"], name="meditation_token_lookup"),
        ),
        migrations.RunPython(index_existing, migrations.RunPython.noop, elidable=True),
    ]
