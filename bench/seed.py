"""`python -m bench.seed N`, in the site's environment: one person with N finished entries
(bulk inserts; the text is encrypted as any entry's), signed in. Prints JSON: their e-mail,
id, session cookie and the Cookie header a browser of theirs sends (the session and CSRF
cookies)."""

from __future__ import annotations

import datetime
import json
import sys

import django

WORDS = ("mercy", "patience", "light", "gratitude", "stillness", "trust", "river", "dawn")
BATCH = 2000


def analyze() -> None:
    """What autovacuum does within a minute of a bulk insert on a real site: the planner's
    statistics, and the visibility map that lets a count read the index alone (without it, a
    count of 10,000 entries read every row: 4.9 ms instead of 1.5 ms)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def seed(count: int) -> dict[str, object]:
    from django.conf import settings
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
    from django.test import Client
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from accounts.models import User
    from meditation.models import DivineName, MeditationSession, Mood

    user = User.objects.create_user(email="bench@example.com", password=None)
    names = list(DivineName.objects.order_by("number"))
    moods = [""] + [value for value, _ in Mood.choices]
    now = timezone.now()
    for start in range(0, count, BATCH):
        entries = []
        for n in range(start, min(count, start + BATCH)):
            begun = now - n * datetime.timedelta(hours=3)
            entries.append(
                MeditationSession(
                    user=user,
                    name=names[n % len(names)],
                    mood=moods[n % len(moods)],
                    intention=f"intention {n}: {WORDS[n % len(WORDS)]}",
                    reflection=f"reflection {n} on {WORDS[(n * 7) % len(WORDS)]} and quiet",
                    planned_seconds=600,
                    actual_seconds=600,
                    dhikr_count=33,
                    started_at=begun,
                    ended_at=begun + datetime.timedelta(minutes=10),
                )
            )
        MeditationSession.objects.bulk_create(entries)
    analyze()
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    # The CSRF cookie a browser holds after its first page (its secret, as the middleware sets
    # it): without it every page would make a new secret and send a Set-Cookie, as for nobody.
    csrf = get_random_string(CSRF_SECRET_LENGTH, allowed_chars=CSRF_ALLOWED_CHARS)
    header = f"{settings.SESSION_COOKIE_NAME}={cookie}; {settings.CSRF_COOKIE_NAME}={csrf}"
    return {"email": user.email, "user_id": user.pk, "cookie_name": settings.SESSION_COOKIE_NAME,
            "cookie": cookie, "cookie_header": header}  # fmt: skip


if __name__ == "__main__":
    django.setup()
    print(json.dumps(seed(int(sys.argv[1]))))
