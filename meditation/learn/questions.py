"""The question a card asks, rebuilt the same from the card each time (the options are never
taken from the browser), and the rating its answer earns.

Each direction asks in two ways, by turns: a choice of four (`distractors.py`) while the card
is new or was last answered wrongly, then a typed answer (`answers.py`).
- arabic: the Arabic; answer with the transliteration (the choices show it with the meaning);
- meaning: the meaning; answer with the name, in Latin letters or Arabic;
- order: the number; answer with the name.
A right choice rates Good, a wrong one Again; a typed answer the same.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import fsrs

from ..models import DivineName, LearningCard, Rating
from . import answers, distractors

CHOICE, TYPED = "choice", "typed"


@dataclasses.dataclass(frozen=True)
class Question:
    card: LearningCard
    kind: str  # CHOICE or TYPED
    options: tuple[DivineName, ...]  # for CHOICE, in the order shown

    @property
    def name(self) -> DivineName:
        return self.card.name

    @property
    def direction(self) -> str:
        return self.card.direction

    @property
    def seed(self) -> str:
        """Names this showing of the card: it changes once the card is answered."""
        return f"{self.card.pk}:{self.card.reviews}"


def ask(card: LearningCard, names: Sequence[DivineName]) -> Question:
    if card.reviews and card.state == fsrs.State.Review:
        return Question(card, TYPED, ())
    seed = Question(card, CHOICE, ()).seed
    options = [card.name, *distractors.distractors(card.name, names, seed)]
    # The right one's place, from the seed too: the same page shows the same order.
    place = sum(map(ord, seed)) % len(options)
    options.insert(place, options.pop(0))
    return Question(card, CHOICE, tuple(options))


def rate(question: Question, answer: str) -> tuple[bool, Rating]:
    """Whether `answer` is right, and the rating it gives the card."""
    if question.kind == CHOICE:
        right = answer.isdigit() and int(answer) == question.name.number
    else:
        right = answers.matches_name(answer, question.name)
    return right, Rating.GOOD if right else Rating.AGAIN
