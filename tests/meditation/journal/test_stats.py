"""/journal/stats/: totals, streaks, the calendar heatmap and the names met."""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from meditation.journal import stats as practice
from meditation.journal import stats_cache
from meditation.models import DivineName
from tests.factories import MeditationSessionFactory, make_entries

pytestmark = pytest.mark.django_db

URL = "/journal/stats/"
DAY = datetime.timedelta(days=1)
# Entries this far apart spread a thousand of them over more than a year of the calendar.
NINE_HOURS = datetime.timedelta(hours=9)


def local_today(zone: str) -> datetime.date:
    return timezone.now().astimezone(ZoneInfo(zone)).date()


def at(day: datetime.date, hour: int, minute: int = 0, zone: str = "UTC") -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=ZoneInfo(zone))


def entry(user, started_at: datetime.datetime, *, seconds: int = 600, number: int = 1, **kw):
    return MeditationSessionFactory(
        user=user,
        started_at=started_at,
        actual_seconds=seconds,
        name=DivineName.objects.get(number=number),
        **kw,
    )


def get_stats(client, user):
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    return response


def test_it_requires_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "next=/journal/stats/" in response["Location"]


def test_it_refuses_post(client, user):
    client.force_login(user)
    assert client.post(URL).status_code == 405


def test_it_counts_sessions_and_minutes(client, user):
    today = local_today(user.time_zone)
    entry(user, at(today - DAY, 9), seconds=600)
    entry(user, at(today - DAY, 18), seconds=29)
    entry(user, at(today - 3 * DAY, 7), seconds=31 * 60)
    response = get_stats(client, user)
    stats = response.context["stats"]
    assert stats.sessions == 3
    # 600 + 29 + 1860 seconds = 41 min 29 s: summed first, then rounded half up.
    assert stats.minutes == 41
    assert stats.days_practised == 2
    html = response.content.decode()
    assert '<dd id="total-sessions">3</dd>' in html
    assert '<dd id="total-minutes">41</dd>' in html


def test_it_rounds_minutes_half_up(client, user):
    today = local_today(user.time_zone)
    entry(user, at(today - DAY, 9), seconds=90)
    assert get_stats(client, user).context["stats"].minutes == 2


def test_it_shows_the_current_and_longest_streaks(client, user):
    today = local_today(user.time_zone)
    # An old run of four days, a gap, then three days ending today (two entries on one day).
    for offset in (20, 19, 18, 17, 2, 1, 0, 0):
        entry(user, at(today - offset * DAY, 0, 30))
    response = get_stats(client, user)
    streaks = response.context["streaks"]
    assert (streaks.current, streaks.longest) == (3, 4)
    html = response.content.decode()
    assert '<dd id="current-streak">3 days</dd>' in html
    assert '<dd id="longest-streak">4 days</dd>' in html


def test_it_keeps_the_current_streak_until_a_whole_day_passes(client, user):
    today = local_today(user.time_zone)
    entry(user, at(today - 2 * DAY, 8))
    entry(user, at(today - DAY, 8))
    # Nothing yet today: the streak still stands.
    assert get_stats(client, user).context["streaks"].current == 2


def test_it_breaks_the_current_streak_after_a_day_without_practice(client, user):
    today = local_today(user.time_zone)
    entry(user, at(today - 3 * DAY, 8))
    entry(user, at(today - 2 * DAY, 8))
    streaks = get_stats(client, user).context["streaks"]
    assert (streaks.current, streaks.longest) == (0, 2)


def test_it_counts_days_in_the_users_time_zone_across_utc_midnight(client, user):
    """23:00 and 01:00 in Tokyo are one UTC date but two Tokyo dates."""
    zone = "Asia/Tokyo"
    user.time_zone = zone
    user.save()
    today = local_today(zone)
    late = at(today - 2 * DAY, 23, 0, zone)
    early = at(today - DAY, 1, 0, zone)
    assert late.astimezone(datetime.UTC).date() == early.astimezone(datetime.UTC).date()
    entry(user, late)
    entry(user, early)
    response = get_stats(client, user)
    streaks = response.context["streaks"]
    assert (streaks.current, streaks.longest) == (2, 2)
    assert response.context["stats"].days_practised == 2
    html = response.content.decode()
    assert f"on {(today - 2 * DAY).isoformat()}</title>" in html
    assert f"on {(today - DAY).isoformat()}</title>" in html


def test_it_counts_two_utc_dates_as_one_local_day(client, user):
    """08:00 and 10:00 in Tokyo are one Tokyo date but straddle UTC midnight."""
    zone = "Asia/Tokyo"
    user.time_zone = zone
    user.save()
    today = local_today(zone)
    first = at(today - DAY, 8, 0, zone)
    second = at(today - DAY, 10, 0, zone)
    assert first.astimezone(datetime.UTC).date() != second.astimezone(datetime.UTC).date()
    entry(user, first)
    entry(user, second)
    response = get_stats(client, user)
    assert response.context["stats"].days_practised == 1
    assert response.context["streaks"].longest == 1
    html = response.content.decode()
    assert f"2 sessions, 20 minutes on {(today - DAY).isoformat()}</title>" in html


@pytest.mark.parametrize(
    ("offsets", "current", "longest"),
    [
        ((), 0, 0),
        ((0,), 1, 1),
        ((1,), 1, 1),
        ((2,), 0, 1),
        ((0, 1, 2, 4, 5), 3, 3),
        ((1, 2, 10, 11, 12, 13), 2, 4),
        ((-1, 0, 1), 2, 3),  # a day after today (clock skew) counts for the longest only
    ],
)
def test_it_computes_streaks_from_local_dates(offsets, current, longest):
    today = datetime.date(2026, 3, 1)
    days = [today - offset * DAY for offset in offsets]
    assert practice.streaks(days, today) == practice.Streaks(current=current, longest=longest)


@pytest.mark.parametrize(("seconds", "expected"), [(0, 0), (29, 0), (30, 1), (89, 1), (90, 2)])
def test_it_rounds_seconds_to_minutes_half_up(seconds, expected):
    assert practice.minutes(seconds) == expected


def test_it_ignores_deleted_and_unfinished_entries(client, user):
    today = local_today(user.time_zone)
    entry(user, at(today - DAY, 8), number=5)
    entry(user, at(today - 2 * DAY, 8), number=6, deleted_at=timezone.now())
    entry(user, at(today - 3 * DAY, 8), number=7, ended_at=None, seconds=None)
    response = get_stats(client, user)
    stats = response.context["stats"]
    assert (stats.sessions, stats.minutes, stats.days_practised, stats.names_met) == (1, 10, 1, 1)
    assert response.context["streaks"].longest == 1
    assert [n.number for n in stats.most_drawn] == [5]


def test_it_never_counts_another_users_entries(client, user, other_user):
    today = local_today(user.time_zone)
    entry(user, at(today, 0, 5), number=3)
    for offset in range(5):
        entry(other_user, at(today - offset * DAY, 0, 5), number=9)
    response = get_stats(client, user)
    stats = response.context["stats"]
    assert (stats.sessions, stats.names_met) == (1, 1)
    assert response.context["streaks"].longest == 1
    assert [n.number for n in stats.most_drawn] == [3]


def test_it_hides_streaks_when_the_user_turned_them_off(client, user):
    user.show_streaks = False
    user.save()
    today = local_today(user.time_zone)
    entry(user, at(today - DAY, 8))
    response = get_stats(client, user)
    assert response.context["streaks"] is None
    html = response.content.decode()
    assert "streak" not in html.lower()
    assert '<dd id="total-sessions">1</dd>' in html


def test_it_draws_the_heatmap_with_a_text_alternative(client, user):
    today = local_today(user.time_zone)
    entry(user, at(today - 5 * DAY, 8), seconds=20 * 60)
    entry(user, at(today - 5 * DAY, 19), seconds=5 * 60)
    entry(user, at(today - 5 * DAY, 21), seconds=60)
    entry(user, at(today - 400 * DAY, 8))  # outside the window
    html = get_stats(client, user).content.decode()

    svg = re.search(r"<svg[^>]*>.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg
    assert 'aria-labelledby="heatmap-title heatmap-desc"' in svg
    assert '<title id="heatmap-title">' in svg
    assert '<desc id="heatmap-desc">' in svg
    assert svg.count("<rect") == 365
    assert svg.count("<title>") == 365
    busy = (today - 5 * DAY).isoformat()
    assert (
        f'class="heat-3" data-date="{busy}"><title>3 sessions, 26 minutes on {busy}</title>' in svg
    )
    assert f"<title>No sessions on {today.isoformat()}</title>" in svg
    assert f'data-date="{(today - 364 * DAY).isoformat()}"' in svg
    assert f'data-date="{(today - 365 * DAY).isoformat()}"' not in svg

    # The text alternative: a summary and a month-by-month table, with the active days.
    assert "1 day with practice, 3 sessions, 26 minutes." in html
    assert "<summary>The calendar as a table</summary>" in html
    assert "<caption>Practice by month</caption>" in html
    assert f"{busy}</time>: 3 sessions, 26 minutes</li>" in html
    # The page stays within the strict CSP.
    assert "<style" not in html
    assert " style=" not in html


def test_it_shows_the_names_met_and_the_most_drawn(client, user):
    today = local_today(user.time_zone)
    # Name 7 three times; 2, 40 and 99 twice (ties go to the lower number); 50 and 60 once.
    for number, times in {7: 3, 2: 2, 99: 2, 40: 2, 50: 1, 60: 1}.items():
        for i in range(times):
            entry(user, at(today - (i + 1) * DAY, 8), number=number)
    response = get_stats(client, user)
    stats = response.context["stats"]
    assert stats.names_met == 6
    assert [(n.number, n.count) for n in stats.most_drawn] == [
        (7, 3),
        (2, 2),
        (40, 2),
        (99, 2),
        (50, 1),
    ]
    html = response.content.decode()
    assert "Names met: 6 of 99" in html
    cells = re.findall(r'<a class="names-met__cell[^"]*" href="/names/(\d+)/">', html)
    assert cells == [str(n) for n in range(1, 100)]
    met = re.findall(r'<a class="names-met__cell names-met__cell--met" href="/names/(\d+)/">', html)
    assert met == ["2", "7", "40", "50", "60", "99"]
    # Told apart without colour: a check mark and words for screen readers.
    assert html.count('<span class="names-met__mark" aria-hidden="true">✓</span>') == 6
    assert ", met 3 times</span>" in html
    assert html.count(", not met yet</span>") == 93
    name = DivineName.objects.get(number=7)
    assert f"7. {name.transliteration}</a>" in html
    assert '<span class="most-drawn__count">3 times</span>' in html


def test_it_welcomes_a_user_with_no_sessions(client, user):
    response = get_stats(client, user)
    stats = response.context["stats"]
    assert (stats.sessions, stats.minutes, stats.names_met) == (0, 0, 0)
    assert (response.context["streaks"].current, response.context["streaks"].longest) == (0, 0)
    html = response.content.decode()
    assert 'href="/meditate/">Begin a meditation</a>' in html
    assert '<dd id="total-sessions">0</dd>' in html
    assert "Names met: 0 of 99" in html
    assert "None yet" in html
    assert html.count("<rect") == 365


def page_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return [q["sql"] for q in queries.captured_queries]


def journal_queries(sql: list[str]) -> list[str]:
    return [q for q in sql if "meditation_" in q]


def test_it_runs_a_constant_number_of_queries(
    client, user, other_user, shared_versions, django_assert_max_num_queries
):
    client.force_login(user)
    make_entries(user, 1, every=NINE_HOURS, intention="")
    client.get(URL)  # made and kept: what follows compares the kept page
    few = page_queries(client)
    make_entries(user, 999, every=NINE_HOURS, intention="")
    make_entries(other_user, 50, every=NINE_HOURS, intention="")
    # The user with the fingerprint, the entries by day and by name, and the most drawn names'
    # words (the session and the catalogue version are in the cache).
    with django_assert_max_num_queries(5):
        response = client.get(URL)
    assert response.context["stats"].sessions == 1000
    assert response.context["stats"].names_met == 99
    # Kept now: one query, the user with the fingerprint (the session is in the cache).
    many = page_queries(client)
    assert len(many) == len(few) == 1
    assert "journal_changed_at" in many[0]
    assert '<dd id="total-sessions">1000</dd>' in client.get(URL).content.decode()
    # From the shared cache (this process's copy gone): the same queries.
    stats_cache.recent.clear()
    assert len(page_queries(client)) == len(few)


def test_it_counts_numbers_kept_in_two_queries_less(client, user, shared_versions):
    """A new day makes the page again from the numbers kept (the entries are not counted)."""
    client.force_login(user)
    make_entries(user, 50, every=NINE_HOURS, intention="")
    client.get(URL)
    stats_cache.recent.clear()
    cache.delete(stats_cache.page_key(user))
    made = journal_queries(page_queries(client))
    # The person with the fingerprints, the most drawn names' words and the learning cards (the
    # names known): no count by day or name.
    assert len(made) == 3
    assert not any("GROUP BY" in q for q in made)
