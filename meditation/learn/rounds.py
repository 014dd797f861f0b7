"""A visitor's round: five questions, to try learning without an account. Nothing of it is
kept, not even in a session: the round travels in the page, signed (`dumps`, `loads`), so a
visitor cannot change the names asked or their score, and no row is written for a crawler.

The round is five names drawn at random (the first a name they chose, from "Practise this
name"), asked in turn in each direction (the order both ways), always as a choice of four: a
visitor has no schedule to move them on to typed answers. Each answer is checked against the
question rebuilt from the session, never from what the browser sends.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from django.core import signing
from django.utils import timezone

from ..models import NAME_COUNT, Direction, DivineName, LearningCard

SALT = "meditation.learn.round"
MAX_AGE = 24 * 3600  # a round left open for a day starts again
SIZE = 5
# The directions in turn, with `reviews` 1 for the order's reverse turn (name → number).
TURNS = (
    (Direction.ARABIC, 0),
    (Direction.MEANING, 0),
    (Direction.ORDER, 0),
    (Direction.ARABIC, 0),
    (Direction.ORDER, 1),
)


@dataclass
class Round:
    seed: str
    numbers: list[int]
    answers: list[bool]  # right or wrong, one for each question answered so far

    @property
    def at(self) -> int:
        """The place of the question now asked (SIZE once the round is over)."""
        return len(self.answers)

    @property
    def done(self) -> bool:
        return self.at >= SIZE

    @property
    def right(self) -> int:
        return sum(self.answers)

    def card(self, names: Mapping[int, DivineName]) -> LearningCard:
        """The question now asked as an unsaved card (no person: nothing is kept)."""
        direction, reviews = TURNS[self.at]
        return LearningCard(name=names[self.numbers[self.at]], direction=direction,
                            reviews=reviews, due=timezone.now())  # fmt: skip

    def results(self, names: Mapping[int, DivineName]) -> list[tuple[DivineName, bool]]:
        return [(names[n], right) for n, right in zip(self.numbers, self.answers, strict=False)]


def new_round(first: int | None = None) -> Round:
    seed = secrets.token_hex(8)
    draw = random.Random(seed)  # noqa: S311 (not a secret: which names)
    others = [n for n in range(1, NAME_COUNT + 1) if n != first]
    numbers = ([first] if first else []) + draw.sample(others, SIZE - (1 if first else 0))
    return Round(seed=seed, numbers=numbers, answers=[])


def dumps(found: Round) -> str:
    return signing.dumps([found.seed, found.numbers, found.answers], salt=SALT, compress=True)


def loads(token: str) -> Round | None:
    """The round signed in a page, or None for anything else (forged, mangled, too old)."""
    try:
        seed, numbers, answers = signing.loads(token, salt=SALT, max_age=MAX_AGE)
        found = Round(seed=str(seed), numbers=[int(n) for n in numbers],
                      answers=[bool(a) for a in answers])  # fmt: skip
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if len(found.numbers) != SIZE or not all(1 <= n <= NAME_COUNT for n in found.numbers):
        return None
    return found if len(found.answers) <= SIZE else None
