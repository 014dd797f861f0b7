"""The wrong options of a multiple-choice question: the names a learner confuses with the
right one, before any others.

Confusable, best first:
1. the same root: the names' consonants without the article, long vowels and the pattern's
   prefixes (al-Ghafūr and al-Ghaffār, al-Qādir and al-Muqtadir, ar-Raḥmān and ar-Raḥīm);
2. words shared by the meanings ("Forgiving", "Originator", "Guide");
3. pairs that neither rule sees but learners mix up, kept in `CONFUSED`: opposites recited
   together (al-Khāfiḍ and al-Mudhill, al-Awwal and al-Ākhir), names once rendered alike
   (al-Qābiḍ and al-Māniʿ, "the Withholder"), and weak roots left with one consonant
   (al-Waliyy and al-Wālī).
The rest are drawn at random; the draw is seeded, so a question shows the same options when
its page is shown again.
"""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Sequence

from ..models import DivineName
from ..text import fold
from .answers import without_article

OPTIONS = 4
# Letters that are not the root's: long vowels and hamza's seat, the article, and the
# prefixes of the participle patterns (mu-, muta-, mun-, mus-).
_WEAK = set("اويىءأإآؤئ")
# The participle's prefix, read from the transliteration: Muta- (مت), Mun- (من), Mu- (م).
_PREFIXES = (("muta", "مت"), ("mun", "من"), ("mu", "م"))
_STOP_WORDS = {"the", "of", "all", "and", "who", "one", "most", "ever", "in", "to", "a",
               "source", "giver", "bringer", "things"}  # fmt: skip
CONFUSED: frozenset[frozenset[int]] = frozenset(
    frozenset(pair) for pair in ((20, 90), (22, 25), (23, 24), (66, 67), (73, 74), (75, 76),
                                 (12, 58), (91, 92), (60, 61), (71, 72), (55, 77), (60, 62))
)  # fmt: skip
_WORD = re.compile(r"[a-z]+")


def root(name: DivineName) -> str:
    """The name's consonants: al-Ghaffār and al-Ghafūr give غفر, al-Muqtadir قتدر."""
    return _root(name.arabic, name.transliteration)


# Cached by the words themselves (a question weighs 98 names): a curator's edit is a new key.
@functools.lru_cache(maxsize=1024)
def _root(arabic: str, transliteration: str) -> str:
    word = fold(arabic).split()[0].removeprefix("ال")
    spoken = without_article(fold(transliteration)).split()[0]  # "mumin", "malik"
    for sound, prefix in _PREFIXES:
        if spoken.startswith(sound) and word.startswith(prefix):
            word = word[len(prefix) :]
            break
    return "".join(ch for ch in word if ch not in _WEAK)


def _shares_root(a: str, b: str) -> bool:
    """The same consonants (a weak root keeps two: al-ʿAliyy and al-Mutaʿālī), or the first
    three of one in order within the other (قدر in قتدر)."""
    if a == b:
        return len(a) >= 2
    letters = iter(b)
    return len(a) >= 3 and all(ch in letters for ch in a[:3])


def _meaning_words(name: DivineName) -> frozenset[str]:
    return _words(name.meaning)


@functools.lru_cache(maxsize=1024)
def _words(meaning: str) -> frozenset[str]:
    return frozenset(_WORD.findall(fold(meaning))) - _STOP_WORDS


def confusability(name: DivineName, other: DivineName) -> int:
    """How likely `other` is mistaken for `name`: 0 (not especially) to 3."""
    score = 0
    if _shares_root(root(name), root(other)) or _shares_root(root(other), root(name)):
        score += 2
    if _meaning_words(name) & _meaning_words(other):
        score += 1
    if frozenset((name.number, other.number)) in CONFUSED:
        score += 2
    return min(score, 3)


def distractors(name: DivineName, names: Sequence[DivineName], seed: str) -> list[DivineName]:
    """`OPTIONS - 1` other names for a question on `name`: the most confusable first (ties in
    a seeded order), then at random."""
    draw = random.Random(f"{seed}:{name.number}")  # noqa: S311 (not a secret: an order)
    others = [other for other in names if other.number != name.number]
    draw.shuffle(others)
    others.sort(key=lambda other: -confusability(name, other))  # stable: ties stay shuffled
    return others[: OPTIONS - 1]
