import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with the 99 names, as a set-up site does."""
    with django_db_blocker.unblock():
        call_command("load_names", verbosity=0)
