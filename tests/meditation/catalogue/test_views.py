import datetime

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from meditation.models import DivineName, number_of_the_day

pytestmark = pytest.mark.django_db

PAGES = ["/", "/names/", "/names/1/", "/names/99/", "/about/", "/names/?q=rahman"]


@pytest.mark.parametrize("url", [*PAGES, "/names/100/", "/no-such-page/"])
def test_it_sends_the_strict_csp_on_every_page(client, url):
    response = client.get(url)
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("url", PAGES)
def test_it_has_no_inline_script_or_style(client, url):
    html = client.get(url).content.decode()
    assert "<style" not in html
    assert " style=" not in html
    assert "hx-on" not in html
    for tag in html.split("<script")[1:]:
        assert ' src="' in tag.split(">", 1)[0]


@pytest.mark.parametrize("url", PAGES)
def test_it_has_landmarks_and_a_skip_link(client, url):
    html = client.get(url).content.decode()
    assert '<main id="main"' in html
    assert '<nav class="site-nav" aria-label="Main">' in html
    assert 'href="#main"' in html
    assert "<h1" in html


def test_it_configures_htmx_without_eval_or_injected_styles(client):
    html = client.get("/").content.decode()
    assert '"includeIndicatorStyles": false' in html
    assert '"allowEval": false' in html
    assert "/static/vendor/htmx/htmx.min.js" in html


def test_it_shows_the_name_of_the_day_on_home(client):
    today = datetime.datetime.now(datetime.UTC).date()
    name = DivineName.objects.get(number=number_of_the_day(today))
    html = client.get("/").content.decode()
    assert name.arabic in html
    assert name.transliteration in html
    assert f'href="/meditate/?name={name.number}"' in html


def test_it_gives_everyone_the_same_name_on_a_utc_date_and_walks_the_99():
    day = datetime.date(2026, 11, 23)
    numbers = [number_of_the_day(day + datetime.timedelta(days=i)) for i in range(99)]
    assert sorted(numbers) == list(range(1, 100))
    assert number_of_the_day(day) == number_of_the_day(datetime.date(2026, 11, 23))
    assert number_of_the_day(day + datetime.timedelta(days=99)) == number_of_the_day(day)


def test_it_explains_when_names_are_missing_on_home(client):
    DivineName.objects.all().delete()
    response = client.get("/")
    assert response.status_code == 200
    assert "not loaded yet" in response.content.decode()


def test_it_lists_all_99_names_in_order(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get("/names/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="name-card"') == 99
    assert html.index("/names/1/") < html.index("/names/2/") < html.index("/names/99/")
    assert "All 99 names." in html


@pytest.mark.parametrize("query", ["", "rahman", "zzz", "1", "رحمن"])
def test_it_runs_a_constant_number_of_queries_for_any_search(
    client, django_assert_max_num_queries, query
):
    # The version, the names and (for words) their translations: a name is found in any language.
    with django_assert_max_num_queries(4):
        assert client.get("/names/", {"q": query}).status_code == 200


def test_it_shows_everything_about_a_name(client):
    name = DivineName.objects.get(number=1)
    html = client.get("/names/1/").content.decode()
    assert '<span class="name__arabic arabic" lang="ar" dir="rtl">الرَّحْمَٰنُ</span>' in html
    for value in (name.transliteration, name.meaning, name.dhikr, name.pronunciation):
        assert value in html
    assert name.phonetics in html
    assert name.verse_arabic in html
    assert name.verse_translation in html
    assert "55:1" in html
    assert 'lang="ar" dir="rtl">' + name.verse_arabic in html
    assert '<span class="dhikr-arabic arabic" lang="ar" dir="rtl">يَا رَحْمَٰنُ</span>' in html


def test_a_name_without_an_arabic_dhikr_shows_its_dhikr_alone(client):
    DivineName.objects.filter(number=5).update(dhikr_arabic="")
    html = client.get("/names/5/").content.decode()
    facts = html.split('<dl class="name__facts">', 1)[1].split("</dl>", 1)[0]
    assert "<dd>Yā Salām</dd>" in facts
    assert "dhikr-arabic" not in html


def test_it_links_to_the_previous_and_next_names(client):
    html = client.get("/names/50/").content.decode()
    assert 'rel="prev" href="/names/49/"' in html
    assert 'rel="next" href="/names/51/"' in html


def test_it_wraps_around_at_the_ends(client):
    assert 'rel="prev" href="/names/99/"' in client.get("/names/1/").content.decode()
    assert 'rel="next" href="/names/1/"' in client.get("/names/99/").content.decode()


@pytest.mark.parametrize(
    "url",
    ["/names/0/", "/names/100/", "/names/007/", "/names/-1/", "/names/abc/", "/names/1.5/",
     "/names/ar-rahman/", "/names/1/extra/", "/nowhere/"],
)  # fmt: skip
def test_it_answers_404_with_the_friendly_page(client, url):
    response = client.get(url)
    assert response.status_code == 404
    html = response.content.decode()
    assert "This page could not be found" in html
    assert 'href="/names/"' in html


def test_it_answers_404_for_a_valid_number_that_is_not_loaded(client):
    DivineName.objects.filter(number=42).delete()
    assert client.get("/names/42/").status_code == 404


def test_it_renders_the_friendly_500_page():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


@pytest.mark.parametrize("url", ["/", "/names/", "/names/1/", "/about/"])
def test_it_refuses_writes_on_read_only_pages(client, url):
    assert client.post(url).status_code == 405


def test_it_explains_the_draw_on_about(client):
    html = client.get(reverse("meditation:about")).content.decode()
    assert "How the draw works" in html
    assert "modulo bias" in html
    assert "Name of the day" in html or "name of the day" in html


def test_it_says_the_draws_randomness_comes_from_the_servers_csprng(client):
    html = client.get(reverse("meditation:about")).content.decode()
    assert "your computer" not in html
    assert "drawn on our server, not in your browser" in html
    assert "cryptographically secure random number generator" in html
    assert "<code>os.urandom</code>" in html


def test_a_verse_reference_links_to_the_verse_on_a_public_reader(client):
    html = client.get("/names/1/").content.decode()
    assert '<a class="ref" href="https://quran.com/55/1" rel="noopener"' in html
    assert '<figcaption><a href="https://quran.com/55/1" rel="noopener">Qurʾān 55:1</a>' in html
    # A link the person follows: the page itself still loads nothing from another origin.
    assert "https://quran.com" not in client.get("/names/1/")["Content-Security-Policy"]


def test_about_credits_the_faces_and_says_where_the_bells_come_from(client):
    html = client.get(reverse("meditation:about")).content.decode()
    credits = html.split("Sources and credits", 1)[1]
    for face in ("Amiri", "Scheherazade New"):
        assert face in credits
    assert "synthesised in your browser" in credits
