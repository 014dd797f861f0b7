"""Encryption at rest for journal text (Fernet, with key rotation).

FIELD_ENCRYPTION_KEYS holds one or more Fernet keys, comma-separated: the first encrypts,
all of them decrypt, so a new key can be put first and old rows re-encrypted later
(`manage.py rotate_field_keys` reads with any key and writes with the first).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.dispatch import receiver
from django.test.signals import setting_changed


@cache
def fernet() -> MultiFernet:
    # Settings have already refused a missing or malformed key.
    return MultiFernet([Fernet(key) for key in settings.FIELD_ENCRYPTION_KEYS])


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise ImproperlyConfigured(
            "Journal text cannot be decrypted with FIELD_ENCRYPTION_KEYS: "
            "is a key that encrypted it missing from the list?"
        ) from None


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; Python code only ever sees the plaintext.

    An empty string is stored as an empty string (nothing to hide, and it keeps "no reflection"
    cheap to test). The column cannot be searched or ordered by the database.
    """

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)


@receiver(setting_changed)
def _forget_keys(setting: str, **kwargs: Any) -> None:
    if setting == "FIELD_ENCRYPTION_KEYS":
        fernet.cache_clear()
