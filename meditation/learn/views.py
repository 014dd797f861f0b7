"""/learn/: a question at a time, its answer checked and scheduled, and the person's progress.

A signed-in person's cards are theirs (addressed by name and direction through them: there is
no card id to guess); a visitor's round travels signed in the page itself (`rounds.py`), so
nothing of it is kept anywhere. Every question is a plain form that works without JavaScript
and answers with the whole page; with htmx the round alone is swapped (`#round`).

The page is in its language (`catalogue/translations.py`), the learning is not: questions are
asked, options chosen (from the English meanings' words, so the same in every language),
answers checked and cards stored on the names themselves, and only what the page renders of
them, the question's name and options, the feedback's and the round's results, is put in the
page's language at the end (`_in_language`: one query for them all, none in English).
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.requests import AuthenticatedRequest
from aysekai_site.platform.htmx import render_page_or_fragment

from ..catalogue.translations import Localized, localize
from ..journal.stats import local_today, user_zone
from ..models import NAME_COUNT, DivineName, LearningCard, Rating
from . import answers, cards, progress, rounds
from .forms import RECITE_COUNT, AnswerForm, PreferencesForm, ReciteForm
from .questions import CHOICE, TYPED, Question, ask, rate

if TYPE_CHECKING:
    from accounts.models import User

TEMPLATE = "meditation/learn.html"
type Shown = DivineName | Localized  # a name as the page shows it


def marked(name: Shown, field: str = "meaning") -> SafeString:
    """A name's words as HTML, marked as English where a page in another language shows them
    in English: for a sentence that puts them in its translation (`blocktranslate`)."""
    text = getattr(name, field)
    if field in getattr(name, "fallbacks", ()):
        return format_html('<span lang="en">{}</span>', text)
    return conditional_escape(text)


@dataclass(frozen=True)
class ShownQuestion:
    """A question as the page shows it: its name and options in the page's language; the rest
    is the question's, which was built, and is checked, on the names themselves."""

    question: Question
    name: Shown
    options: tuple[Shown, ...]

    @property
    def card(self) -> LearningCard:
        return self.question.card

    @property
    def kind(self) -> str:
        return self.question.kind

    @property
    def direction(self) -> str:
        return self.question.direction

    @property
    def for_number(self) -> bool:
        return self.question.for_number


@dataclass(frozen=True)
class Feedback:
    """What the last answer was: right or not, and the name it was about."""

    question: Question | ShownQuestion
    right: bool
    given: str  # what was typed, or the number chosen
    chosen: Shown | None  # the option chosen, for a choice
    comes_back: datetime.datetime | None  # the card's new due date (a person's, counted)

    @property
    def meaning(self) -> SafeString:
        """The right answer's meaning, marked as English where it is."""
        return marked(self.question.name)

    @property
    def chosen_meaning(self) -> SafeString:
        return marked(self.chosen) if self.chosen is not None else SafeString("")


def _in_language(context: dict[str, Any]) -> dict[str, Any]:
    """The context with the names it shows in the page's language: the question's name and
    options, the feedback's, the round's results, in one `localize` (no query in English).
    Everything before this (the question, its options, the answer's check, the cards) was on
    the names themselves, and still is: only what is rendered changes."""
    question, feedback = context.get("question"), context.get("feedback")
    results = context.get("results")
    shown: dict[int, DivineName] = {}
    for asked in (question, feedback.question if feedback else None):
        if asked is not None:
            shown |= {name.number: name for name in (asked.name, *asked.options)}
    if feedback is not None and feedback.chosen is not None:
        shown[feedback.chosen.number] = feedback.chosen
    shown |= {name.number: name for name, _right in results or ()}
    local = dict(zip(shown, localize(shown.values()), strict=True))

    def show(asked: Question) -> ShownQuestion:
        options = tuple(local[option.number] for option in asked.options)
        return ShownQuestion(asked, local[asked.name.number], options)

    if question is not None:
        context["question"] = show(question)
    if feedback is not None:
        chosen = local[feedback.chosen.number] if feedback.chosen is not None else None
        context["feedback"] = dataclasses.replace(
            feedback, question=show(feedback.question), chosen=chosen
        )
    if results:
        context["results"] = [(local[name.number], right) for name, right in results]
    return context


def _round(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    """The page, or with htmx the round alone, its names in the page's language."""
    return render_page_or_fragment(request, TEMPLATE, "round", _in_language(context), status=status)


def _names() -> dict[int, DivineName]:
    return {name.number: name for name in DivineName.objects.order_by("number")}


def _number(value: str | None) -> int | None:
    """A name's number from a query parameter, or None for anything else."""
    if value is None or not value.isdecimal() or len(value) > 2:
        return None
    number = int(value)
    return number if 1 <= number <= NAME_COUNT else None


def _person_context(user: Any, names: dict[int, DivineName], first: int | None = None,
                    shown: Question | None = None) -> dict[str, Any]:  # fmt: skip
    """The question to ask a person now (or why there is none) and their progress; `shown`:
    the question to ask again (an answer it could not take), instead of choosing one."""
    now = timezone.now()
    today = local_today(user_zone(user.time_zone))
    prefs = cards.preferences(user)  # read once for the question and the page
    question = shown
    if question is None:
        if first is not None:
            card: LearningCard | None = cards.card_of(user, names[first], today, now, prefs)
        else:
            card = cards.next_card(user, today, now, prefs)
        question = ask(card, list(names.values())) if card is not None else None
    return {
        "question": question,
        "progress": progress.progress_of(user, today),
        "preferences": prefs,
        "next_due": cards.next_due(user, prefs) if question is None else None,
        "new_today": cards.introduced_on(user, today) if question is None else None,
    }


def _visitor_context(found: rounds.Round, names: dict[int, DivineName]) -> dict[str, Any]:
    question = None
    if not found.done:
        question = ask(found.card(names), list(names.values()), salt=found.seed)
    return {
        "question": question,
        "round": found,
        "round_token": rounds.dumps(found),
        "results": found.results(names) if found.done else None,
        "round_size": rounds.SIZE,
    }


@require_safe
def learn(request: HttpRequest) -> HttpResponse:
    names = _names()
    first = _number(request.GET.get("name"))
    if request.user.is_authenticated:
        context = _person_context(request.user, names, first)
    else:
        context = _visitor_context(rounds.new_round(first), names)
    return render(request, TEMPLATE, _in_language(context))


def _choice_of(question: Question, given: str) -> DivineName | None:
    return next((o for o in question.options if str(o.number) == given), None)


def _feedback(question: Question, given: str, right: bool, comes_back: bool) -> Feedback:
    return Feedback(question=question, right=right, given=given,
                    chosen=_choice_of(question, given) if question.kind == CHOICE else None,
                    comes_back=question.card.due if comes_back else None)  # fmt: skip


def _problem(question: Question, given: str) -> str | None:
    """Why an answer cannot be taken (the question is shown again), or None."""
    if question.kind == CHOICE and _choice_of(question, given) is None:
        return _("Choose one of the four answers.")
    if question.kind == TYPED and question.for_number and not given.strip().isdecimal():
        return _("Write the name's number, 1 to 99.")
    if (question.kind == TYPED and question.direction == "arabic"
            and answers.is_arabic_answer(given)):  # fmt: skip
        return _("Write the name in Latin letters (it is shown in Arabic).")
    return None


@require_POST
def learn_answer(request: HttpRequest) -> HttpResponse:
    names = _names()
    form = AnswerForm(request.POST)
    if request.user.is_authenticated:
        return _answer_as_person(request, form, names)
    return _answer_as_visitor(request, form, names)


def _answer_as_person(request: HttpRequest, form: AnswerForm, names: dict[int, DivineName],
                      ) -> HttpResponse:  # fmt: skip
    user = cast("User", request.user)
    if not form.is_valid() and not ({"number", "direction", "seen"} <= form.cleaned_data.keys()):
        context = _person_context(user, names)
        context["notice"] = _("That answer could not be read. Here is the question again.")
        return _round(request, context, status=400)
    data = form.cleaned_data
    now = timezone.now()
    today = local_today(user_zone(user.time_zone))
    name = names[data["number"]]
    card = LearningCard.objects.filter(user=user, name=name, direction=data["direction"]).first()
    if card is None:
        card = cards.new_card(user, name, data["direction"], today, now)
    card.name = name
    if card.reviews != data["seen"]:
        context = _person_context(user, names)
        context["notice"] = _("That question was already answered. Here is the next one.")
        return _round(request, context)
    question = ask(card, list(names.values()))
    given = data.get("answer", "")
    errors = form.errors.get("answer")
    problem = errors[0] if errors else _problem(question, given)
    if problem is not None:
        context = _person_context(user, names, shown=question) | {"problem": problem}
        return _round(request, context)
    right, rating = rate(question, given, Rating(data.get("felt") or Rating.GOOD))
    counted = cards.review(card, rating, today, now)
    context = _person_context(user, names)
    if counted:
        context["feedback"] = _feedback(question, given, right, comes_back=True)
    else:
        context["notice"] = _("That question was already answered. Here is the next one.")
    return _round(request, context)


def _answer_as_visitor(request: HttpRequest, form: AnswerForm, names: dict[int, DivineName],
                       ) -> HttpResponse:  # fmt: skip
    found = rounds.loads(request.POST.get("round", ""))
    if found is None or found.done:
        context = _visitor_context(rounds.new_round(), names)
        context["notice"] = _("That round could not be read, so here is a new one.")
        return _round(request, context, status=400)
    question = ask(found.card(names), list(names.values()), salt=found.seed)
    form.is_valid()
    given = form.cleaned_data.get("answer", "")
    stale = form.cleaned_data.get("seen") != found.at
    problem = None if stale else _problem(question, given)
    if stale or problem is not None:
        context = _visitor_context(found, names)
        context["problem" if problem else "notice"] = problem or _(
            "That question was already answered."
        )
        return _round(request, context)
    right, _rating = rate(question, given)
    feedback = _feedback(question, given, right, comes_back=False)
    found.answers.append(feedback.right)
    context = _visitor_context(found, names) | {"feedback": feedback}
    return _round(request, context)


@login_required
@require_http_methods(["GET", "POST"])
def learn_settings(request: AuthenticatedRequest) -> HttpResponse:
    form = PreferencesForm(request.POST or None, instance=cards.preferences(request.user))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your learning settings are saved."))
        return redirect("meditation:learn")
    return render(request, "meditation/learn_settings.html", {"form": form})


@require_http_methods(["GET", "POST"])
def recite(request: HttpRequest) -> HttpResponse:
    """ "Recite in order": the five names after one, written from memory, then checked."""
    names = _names()
    ordered = list(names.values())
    results = None
    if request.method == "POST":
        form = ReciteForm(request.POST, names=ordered)
        if form.is_valid():
            after = form.cleaned_data["after"]
            expected = ordered[after : after + len(form.answers())]
            results = [(name, given, answers.matches_name(given, name))
                       for name, given in zip(expected, form.answers(), strict=True)]  # fmt: skip
    else:
        after = _number(request.GET.get("after")) or 0
        after = after if after <= NAME_COUNT - RECITE_COUNT else 0
        form = ReciteForm(initial={"after": after}, names=ordered)
    context = {"form": form, "results": results,
               "right": sum(r[2] for r in results) if results else 0}  # fmt: skip
    if results:
        last = results[-1][0].number
        context["next_after"] = last if last <= NAME_COUNT - RECITE_COUNT else 0
    return render_page_or_fragment(request, "meditation/learn_recite.html", "recital", context)
