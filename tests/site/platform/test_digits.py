"""Arabic-Indic digits (issue 17): the rule (platform/digits.py), and a person's choice
through the real URLs (accounts.middleware.ArabicIndicDigitsMiddleware)."""

from __future__ import annotations

import re

import pytest

from accounts.models import User
from aysekai_site.platform.digits import arabic_indic

ARABIC_INDIC = re.compile("[٠-٩]")


class TestTheRule:
    def test_the_text_of_the_page_changes(self):
        assert arabic_indic("<p>الاسم 1 من 99</p>") == "<p>الاسم ١ من ٩٩</p>"

    def test_attributes_code_forms_and_scripts_keep_their_digits(self):
        html = ('<a href="/ar/names/12/" data-count="3">12</a><textarea>4 5</textarea>'
                "<code>x = 6</code><pre>7</pre><script>var n = 8;</script>"
                "<style>p{margin:9px}</style>"
                '<input value="10"><time datetime="2026-12-03">2026</time>')  # fmt: skip
        assert arabic_indic(html) == (
            '<a href="/ar/names/12/" data-count="3">١٢</a><textarea>4 5</textarea>'
            "<code>x = 6</code><pre>7</pre><script>var n = 8;</script>"
            "<style>p{margin:9px}</style>"
            '<input value="10"><time datetime="2026-12-03">٢٠٢٦</time>'
        )

    def test_text_in_another_language_and_e_mail_addresses_keep_theirs(self):
        html = (
            '<p><span lang="en">Psalm 23</span> 1 <span lang="ar">2</span> me42@example.org 3</p>'
        )
        assert arabic_indic(html) == (
            '<p><span lang="en">Psalm 23</span> ١ <span lang="ar">٢</span> me42@example.org ٣</p>'
        )

    def test_comments_and_void_elements_do_not_unbalance_it(self):
        html = "<!-- 1 --><p>2<br>3<img src=x.png>4</p><p>5</p>"
        assert arabic_indic(html) == "<!-- 1 --><p>٢<br>٣<img src=x.png>٤</p><p>٥</p>"


@pytest.mark.django_db
class TestAPersonsChoice:
    @pytest.fixture
    def chooser(self, signed_in, user):
        User.objects.filter(pk=user.pk).update(arabic_indic_digits=True)
        return signed_in

    def test_it_is_off_by_default(self, signed_in):
        body = signed_in.get("/ar/names/1/").content.decode()
        assert not ARABIC_INDIC.search(body.split("<main", 1)[1])
        assert "data-digits" not in body

    def test_arabic_pages_show_arabic_indic_digits(self, chooser):
        body = chooser.get("/ar/names/1/").content.decode()
        main = body.split("<main", 1)[1]
        assert "الاسم ١ من ٩٩" in main
        assert 'href="/ar/names/2/"' in main  # links keep theirs
        assert 'data-digits="arabic-indic"' in body  # the scripts' numbers follow

    def test_an_htmx_fragment_too(self, chooser):
        body = chooser.get("/ar/names/?q=1", HTTP_HX_REQUEST="true").content.decode()
        assert ARABIC_INDIC.search(body)

    @pytest.mark.parametrize("prefix", ["", "/tr"])
    def test_other_languages_keep_western_digits(self, chooser, prefix):
        body = chooser.get(f"{prefix}/names/1/").content.decode()
        assert not ARABIC_INDIC.search(body.split("<main", 1)[1])
        assert "data-digits" not in body

    def test_the_settings_page_offers_it(self, signed_in):
        body = signed_in.get("/accounts/settings/").content.decode()
        assert 'name="arabic_indic_digits"' in body
