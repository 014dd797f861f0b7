"""Asking for an export through the page, and looking at what it left on disk."""

from tests.meditation.helpers import committed

URL = "/exports/"


def request_export(client, fmt="zip", **extra):
    with committed():
        return client.post(URL, {"format": fmt, **extra})


def download(client, job):
    response = client.get(f"/exports/{job.pk}/download/")
    assert response.status_code == 200
    return b"".join(response.streaming_content), response


def export_files(settings):
    folder = settings.PRIVATE_STORAGE_ROOT / "exports"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def make_learning(user, cards=3, reviews=2):
    """`cards` learning cards for `user` (names 1, 2, … in the three directions in turn, all
    in review) with `reviews` reviews each, an hour apart; a few queries, whatever the size."""
    import datetime

    from django.utils import timezone

    from meditation.models import Direction, DivineName, LearningCard, LearningReview, Rating

    names = list(DivineName.objects.order_by("number"))
    directions = list(Direction.values)
    now = timezone.now()
    made = LearningCard.objects.bulk_create(
        LearningCard(
            user=user, name=names[n // len(directions)], direction=directions[n % len(directions)],
            state=2, stability=3.5, difficulty=5.25, due=now, last_review=now,
            introduced_on=now.date(), reviews=reviews,
        )
        for n in range(cards)
    )  # fmt: skip
    hour = datetime.timedelta(hours=1)
    LearningReview.objects.bulk_create(
        LearningReview(
            card=card, user=user, rating=Rating.GOOD, reviewed_at=now - (n * reviews + k) * hour,
            local_date=now.date(),
        )
        for n, card in enumerate(made)
        for k in range(reviews)
    )  # fmt: skip
    return made


def traced_peak(owner, fmt):
    """The peak of memory traced while `owner`'s export in `fmt` is built by the task."""
    import tracemalloc

    from meditation.exports import tasks
    from tests.factories import ExportJobFactory

    job = ExportJobFactory(owner=owner, format=fmt)
    tracemalloc.start()
    try:
        assert tasks.build_export(str(job.pk)) == "done"
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
