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


def _name(number: int):
    from meditation.models import DivineName

    return DivineName.objects.get(number=number)
