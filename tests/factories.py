import factory

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
