"""Settings for the test suite: the real settings with fast, isolated services.

DATABASE_URL, CELERY_BROKER_URL and REDIS_URL still select real services (CI's second stage).
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
# Two keys, as after a rotation: the first encrypts, both decrypt.
os.environ.setdefault(
    "FIELD_ENCRYPTION_KEYS",
    "q1Yl0dNQnyB5n4cXq8y1y3Jm3e0cGmQq2S3ZlB6sHnE=,Zr0dFv7cH6y0n7o2zq1XkL9mYw3pT5vA8bC4dE6fG1I=",
)

from .settings import *  # noqa: F403
from .settings import PRIVATE_STORAGE, VAR_DIR

# Hashing passwords slowly on purpose is for production; tests only need it to work.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests render templates without collectstatic; one test checks the production storage.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "private": PRIVATE_STORAGE,
}
MEDIA_ROOT = VAR_DIR / "test-media"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not shared-cache memory: the browser tests' live server thread reads while the
    # test thread writes, which in-memory SQLite answers with "database table is locked".
    # One file per test process, so that two runs at once never share a database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}  # noqa: F405
