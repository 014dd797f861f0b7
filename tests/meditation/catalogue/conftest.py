import pytest
from django.test import Client


@pytest.fixture
def visitor():
    """A browser without a session (the `client` fixture is the one staff_client signs in)."""
    return Client()
