"""The journal's blind index again: `text.fold` now folds Turkish dotless ı to i (issue 17),
so a word with ı or I written before this is indexed anew, as `rebuild_search_index` does.
Nothing else changes: every other word's tokens come out the same."""

from django.db import migrations

from meditation import search_index


def index_again(apps, schema_editor):
    entries = apps.get_model("meditation", "MeditationSession")
    tokens = apps.get_model("meditation", "JournalToken")
    search_index.rebuild(entries, tokens)


class Migration(migrations.Migration):
    dependencies = [("meditation", "0011_learning_card_reviewed_index")]

    operations = [migrations.RunPython(index_again, migrations.RunPython.noop, elidable=True)]
