import datetime

import factory
from django.utils import timezone

from accounts.models import User

PASSWORD = "a long test passphrase"


class UserFactory(factory.django.DjangoModelFactory):
    """Users made the way the site makes them: through the manager's create_user."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    password = PASSWORD

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class.objects.create_user(*args, **kwargs)


class MeditationSessionFactory(factory.django.DjangoModelFactory):
    """A finished journal entry (ten minutes, on name 1) unless told otherwise."""

    class Meta:
        model = "meditation.MeditationSession"

    user = factory.SubFactory(UserFactory)
    name = factory.LazyFunction(lambda: _name(1))
    intention = factory.Sequence(lambda n: f"intention number {n}")
    reflection = "a quiet reflection"
    planned_seconds = 600
    actual_seconds = 600
    dhikr_count = 33
    started_at = factory.LazyFunction(timezone.now)
    ended_at = factory.LazyAttribute(
        lambda o: o.started_at + datetime.timedelta(seconds=o.actual_seconds or 0)
    )


def spacing_within_today(count, *, at_most=datetime.timedelta(hours=1)):
    """The gap that puts `count` entries, the first now and each one gap earlier, all on today's
    date in UTC: `at_most`, or less after midnight, so a test run at 00:10 counts one day too."""
    now = timezone.now()
    since_midnight = now - now.replace(hour=0, minute=0, second=0, microsecond=0)
    return min(at_most, since_midnight / max(count, 1))


def make_entries(user, count, *, every=datetime.timedelta(hours=1), **fields):
    """`count` finished entries for `user`, in one insert: entry n ("intention n",
    "reflection n", on name 1 + n % 99) started n * `every` before now; `fields` apply to all.

    The names are fetched once, so a thousand entries cost two queries.
    """
    from meditation.models import DivineName, MeditationSession

    names = list(DivineName.objects.order_by("number"))
    now = timezone.now()
    entries = []
    for n in range(count):
        values = {
            "name": names[n % len(names)],
            "intention": f"intention {n}",
            "reflection": f"reflection {n}",
            "planned_seconds": 600,
            "actual_seconds": 600,
            "started_at": now - n * every,
            **fields,
        }
        values.setdefault("ended_at", values["started_at"] + datetime.timedelta(minutes=10))
        entries.append(MeditationSession(user=user, **values))
    return MeditationSession.objects.bulk_create(entries)


class ExportJobFactory(factory.django.DjangoModelFactory):
    """A queued export of the owner's journal as CSV, unless told otherwise."""

    class Meta:
        model = "meditation.ExportJob"

    owner = factory.SubFactory(UserFactory)
    format = "csv"


class ImportJobFactory(factory.django.DjangoModelFactory):
    """A queued import; `upload=b"..."` stores that log privately as the job's file first."""

    class Meta:
        model = "meditation.ImportJob"

    owner = factory.SubFactory(UserFactory)
    original_name = "sessions.csv"

    @classmethod
    def _create(cls, model_class, *args, upload=None, **kwargs):
        from meditation import private_files

        job = model_class(*args, **kwargs)
        if upload is not None:
            job.file, job.size = f"imports/{job.pk}.csv", len(upload)
            with private_files.atomic_write(job.file) as out:
                out.write(upload)
        job.save()
        return job


def _name(number: int):
    from meditation.models import DivineName

    return DivineName.objects.get(number=number)
