"""The question a card asks, rebuilt the same from the card each time (the options are never
taken from the browser), and the rating its answer earns.

Each direction asks in two ways: a choice of four (`distractors.py`) while the card is new or
in its learning steps, then a typed answer once it is in review (`answers.py`).
- arabic: the Arabic; answer with the transliteration (the choices show it with the meaning);
- meaning: the meaning; answer with the name, in Latin letters or Arabic;
- order: by turns the number (answer with the name) and the name (answer with its number:
  the choices are numbers near it, so that the order, not a guess, finds it).
A wrong answer rates Again. A right choice rates Good; a right typed answer rates as the
person says it came (Hard, Good or Easy; Good unless they say otherwise).
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence

import fsrs
from django.utils.translation import gettext_lazy as _

from ..models import NAME_COUNT, Direction, DivineName, LearningCard, Rating
from . import answers, distractors

CHOICE, TYPED = "choice", "typed"
# How near the numbers offered for a name are: within this many places of it (more at the ends).
NEAR = 3
FELT = (Rating.HARD, Rating.GOOD, Rating.EASY)  # what a person may say of a right typed answer
# The directions as a person reads them (the model's choices' labels, in the page's language).
DIRECTION_LABELS = {
    Direction.ARABIC: _("The Arabic → its transliteration and meaning"),
    Direction.MEANING: _("The meaning → the name"),
    Direction.ORDER: _("The number ↔ the name (the order of the 99)"),
}
DIRECTION_CHOICES = [(value, DIRECTION_LABELS[value]) for value in Direction]


@dataclasses.dataclass(frozen=True)
class Question:
    card: LearningCard
    kind: str  # CHOICE or TYPED
    options: tuple[DivineName, ...]  # for CHOICE, in the order shown
    salt: str = ""  # a visitor's round: their own draw
    # An order card asking for the number of a name shown (its reverse turn, by the number
    # of reviews it was shown with: the card moves on once answered, the question does not).
    for_number: bool = False

    @property
    def name(self) -> DivineName:
        return self.card.name

    @property
    def direction(self) -> str:
        return self.card.direction

    @property
    def seed(self) -> str:
        """Names this showing of the card: it changes once the card is answered."""
        card = self.card
        return f"{self.salt or card.user_id}:{card.name.number}:{card.direction}:{card.reviews}"


def _near(name: DivineName, names: Sequence[DivineName], seed: str) -> list[DivineName]:
    """Three other numbers within `NEAR` of the name's (a seeded pick, so the answer is not
    always the middle one)."""
    draw = random.Random(f"{seed}:near")  # noqa: S311 (not a secret: an order)
    reach = NEAR
    while True:
        near = [n for n in names if 0 < abs(n.number - name.number) <= reach]
        if len(near) >= distractors.OPTIONS - 1 or reach >= NAME_COUNT:
            return draw.sample(near, distractors.OPTIONS - 1)
        reach += 1


def ask(card: LearningCard, names: Sequence[DivineName], salt: str = "") -> Question:
    for_number = card.direction == Direction.ORDER and card.reviews % 2 == 1
    if card.reviews and card.state == fsrs.State.Review:
        return Question(card, TYPED, (), salt, for_number)
    question = Question(card, CHOICE, (), salt, for_number)
    seed = question.seed
    others = _near(card.name, names, seed) if question.for_number else (
        distractors.distractors(card.name, names, seed)
    )  # fmt: skip
    options = [card.name, *others]
    # The right one's place, from the seed too: the same page shows the same order.
    place = sum(map(ord, seed)) % len(options)
    options.insert(place, options.pop(0))
    return dataclasses.replace(question, options=tuple(options))


def _number(answer: str) -> int | None:
    try:
        return int(answer.strip())  # Arabic-Indic digits too: int("٤٧") is 47
    except ValueError:
        return None


def rate(question: Question, answer: str, felt: Rating = Rating.GOOD) -> tuple[bool, Rating]:
    """Whether `answer` is right, and the rating it gives the card (`felt`: how a right typed
    answer came, one of `FELT`)."""
    if question.kind == CHOICE or question.for_number:
        right = _number(answer) == question.name.number
    else:
        right = answers.matches_name(answer, question.name)
    if not right:
        return False, Rating.AGAIN
    return True, felt if question.kind == TYPED and felt in FELT else Rating.GOOD
