"""How a typed answer is checked: leniently about what does not change the name.

A transliteration may come without diacritics or ʿayn and hamza marks, with or without its
article (and with the article unassimilated: "al-rahman"), with a doubled vowel or "ou" for
"u", or a missing "h": the names' search's spelling rule (`catalogue.search.spelling_key`),
so what the search finds, the check accepts. Arabic may come without harakat, with or
without the article, with a plain alif for a hamza's or the dagger alif's.
"""

from __future__ import annotations

import re

from ..catalogue.search import spelling_key
from ..models import DivineName
from ..text import arabic_search_forms, fold

# The article before a name, lower-cased, folded or with its marks: al, and the sun letters'
# assimilated forms.
_ARTICLE = re.compile(r"^(?:a[lrsntdzhḍṣṭẓ]|ash|adh|ath|az)\s+")
_ARABIC_ARTICLE = "ال"
_NOT_LETTER = re.compile(r"[^\w]+")


def without_article(text: str) -> str:
    """Lower-cased words without the article before them: "al mumin" → "mumin"."""
    return _ARTICLE.sub("", text)


def latin_key(text: str) -> str:
    """A transliteration as compared: folded, without its article, spaces or punctuation,
    in the spelling rule's form. "Ar-Raḥmān", "rahmaan" and "al rahman" give one key."""
    return spelling_key(_NOT_LETTER.sub("", without_article(fold(text))))


def _arabic_keys(text: str) -> set[str]:
    keys = set()
    for form in arabic_search_forms(text):
        bare = form.replace(" ", "")
        keys |= {bare, bare.removeprefix(_ARABIC_ARTICLE)}
    return keys


def is_arabic_answer(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


def matches_name(answer: str, name: DivineName) -> bool:
    """Whether a typed answer names `name`, in Latin letters or in Arabic."""
    if not answer.strip():
        return False
    if is_arabic_answer(answer):
        given = _arabic_keys(answer)
        return bool(given & _arabic_keys(name.arabic))
    key = latin_key(answer)
    if not key or key != latin_key(name.transliteration):
        return False
    # Two names can share a key (Al-Majīd, Al-Mājid): written out with its marks, the answer
    # is the other name, and wrong.
    written = _written(answer)
    others = DivineName.objects.exclude(pk=name.pk).values_list("transliteration", flat=True)
    return written == _written(name.transliteration) or all(
        written != _written(other) for other in others
    )


def _written(text: str) -> str:
    """A transliteration with its marks, as typed: case, the article and punctuation aside."""
    lowered = " ".join(text.casefold().replace("-", " ").split())
    return _NOT_LETTER.sub("", without_article(lowered))
