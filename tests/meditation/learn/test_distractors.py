"""The wrong options of a question are the names a learner confuses with the right one:
the same root, shared words of the meaning, known pairs; then others, in a seeded order."""

import pytest

from meditation.learn.distractors import OPTIONS, confusability, distractors, root
from meditation.models import DivineName

pytestmark = pytest.mark.django_db


@pytest.fixture
def names():
    return {name.number: name for name in DivineName.objects.all()}


def numbers(found):
    return [name.number for name in found]


@pytest.mark.parametrize(
    ("number", "confused"),
    [(14, 34), (34, 14), (69, 70), (70, 69), (1, 2), (10, 37), (28, 46), (20, 90), (90, 20),
     (36, 78), (66, 67), (88, 89), (55, 77), (73, 74)],
)  # fmt: skip
def test_the_most_confusable_name_is_among_the_options(names, number, confused):
    found = numbers(distractors(names[number], list(names.values()), seed="s"))
    assert confused in found


def test_it_gives_three_other_names_none_of_them_the_answer(names):
    for name in names.values():
        found = numbers(distractors(name, list(names.values()), seed="s"))
        assert len(found) == OPTIONS - 1
        assert len(set(found)) == OPTIONS - 1
        assert name.number not in found


def test_the_same_seed_gives_the_same_options_and_another_seed_others(names):
    every = list(names.values())
    same = {tuple(numbers(distractors(names[99], every, seed="a"))) for _ in range(3)}
    assert len(same) == 1
    others = {tuple(numbers(distractors(names[99], every, seed=str(n)))) for n in range(20)}
    assert len(others) > 1  # a name with no close relative gets varied options


def test_roots_drop_the_article_long_vowels_and_the_participles_prefix(names):
    assert root(names[14]) == root(names[34]) == "غفر"
    assert root(names[70]) == "قتدر"  # al-Muqtadir: mu- goes, the -t- of its pattern stays
    assert root(names[10]) == "كبر"  # al-Mutakabbir: muta- goes
    assert root(names[3]) == "ملك"  # al-Malik keeps its m: it is no prefix


def test_unrelated_names_are_not_confusable(names):
    assert confusability(names[99], names[1]) == 0
    assert confusability(names[14], names[34]) == 3  # a root and a word ("forgiving")
